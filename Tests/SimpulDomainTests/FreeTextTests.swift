import SimpulDomain
import Testing

@Suite(.timeLimit(.minutes(10))) struct FreeTextTests {
    @Test func controlCharactersAreShownNotObeyed() {
        #expect(FreeText.shown("Siti \u{1B}[2J\u{1B}]0;owned\u{07}") == "Siti \\u{1b}[2J\\u{1b}]0;owned\\u{7}")
        #expect(FreeText.shown("a\nb\rc") == "a\\u{a}b\\u{d}c")
        #expect(FreeText.shown("a\nb", lines: true) == "a\nb")
        #expect(FreeText.shown("abc\u{202E}fdp.exe") == "abc\\u{202e}fdp.exe")
        #expect(FreeText.shown("\u{85}\u{7F}") == "\\u{85}\\u{7f}")
        #expect(FreeText.shown("Siti Aminah, Jl. Merdeka \\ 5") == "Siti Aminah, Jl. Merdeka \\ 5")
        let once = FreeText.shown("x\u{1B}y")
        #expect(FreeText.shown(once, lines: true) == once)
    }
}
