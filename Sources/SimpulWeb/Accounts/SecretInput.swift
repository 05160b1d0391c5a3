import Foundation
import SimpulDomain

#if canImport(Glibc)
import Glibc
#endif

// `simpul user` and `simpul-hub user` read passwords the same way.

/// Reads a password or PIN: from a terminal, asked without echo (twice when `confirm`); otherwise
/// the first line of stdin, so that scripts pipe it in and it never shows in a process list or a
/// shell history.
public func readSecret(isPIN: Bool, confirm: Bool) throws(SimpulError) -> String {
    let what = isPIN ? "PIN" : "kata sandi"
    guard isatty(STDIN_FILENO) == 1 else {
        guard let line = readLine(strippingNewline: true) else {
            throw SimpulError(.usage, "\(what): tidak ada di stdin (baris pertama stdin)")
        }
        return line.hasSuffix("\r") ? String(line.dropLast()) : line
    }
    let first = try askWithoutEcho(isPIN ? "PIN: " : "Kata sandi: ")
    if confirm {
        try PasswordHasher.validate(first, isPIN: isPIN)
        guard try askWithoutEcho("Ulangi \(what): ") == first else {
            throw SimpulError(.invalidData, "\(what): kedua isian tidak sama")
        }
    }
    return first
}

/// Asks on stderr and reads one line from the terminal on stdin with echo turned off, restoring the
/// terminal however the read ends.
private func askWithoutEcho(_ prompt: String) throws(SimpulError) -> String {
    FileHandle.standardError.write(Data(prompt.utf8))
    var saved = termios()
    guard tcgetattr(STDIN_FILENO, &saved) == 0 else {
        throw SimpulError(.io, "terminal tidak bisa diatur untuk membaca kata sandi (errno \(errno))")
    }
    var silent = saved
    silent.c_lflag &= ~tcflag_t(ECHO)
    guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent) == 0 else {
        throw SimpulError(.io, "terminal tidak bisa diatur untuk membaca kata sandi (errno \(errno))")
    }
    let line = readLine(strippingNewline: true)
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
    FileHandle.standardError.write(Data("\n".utf8))
    guard let line else { throw SimpulError(.usage, "kata sandi: tidak ada isian") }
    return line
}
