import SimpulDomain
import SimpulWeb
import Testing

/// How both front ends show an attachment, and the file name they give it.
@Suite(.timeLimit(.minutes(10)))
struct ScanResponseTests {
    /// Chromium draws these four and opens a PDF inline; a TIFF from an office scanner or a HEIC photo
    /// would show as a broken image, so it is offered as a download instead.
    @Test(arguments: [
        ("ktp.jpg", ScanResponse.Display.image), ("kk.png", .image), ("foto.webp", .image), ("a.gif", .image),
        ("sertifikat.pdf", .pdf), ("pindaian.tif", .download), ("pindaian.TIFF", .download),
        ("foto.heic", .download), ("catatan.bin", .download),
    ])
    func eachKindOfScanIsShownAsTheBrowserCan(name: String, display: ScanResponse.Display) {
        #expect(ScanResponse.display(Attachment.mediaType(forFileName: name)) == display)
    }

    @Test func aFileNameCannotNameAPathOrHideAControlCharacter() {
        #expect(ScanResponse.safeFileName("ktp pemohon.pdf") == "ktp pemohon.pdf")
        #expect(ScanResponse.safeFileName("../../etc/passwd") == "passwd")
        #expect(ScanResponse.safeFileName("..\u{7}.pdf") == "pdf")
        #expect(ScanResponse.safeFileName("") == "pindaian")
    }
}
