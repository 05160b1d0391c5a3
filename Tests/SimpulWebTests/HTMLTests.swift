import SimpulWeb
import Testing

@Suite(.timeLimit(.minutes(10)))
struct HTMLTests {
    @Test func markupInTextIsShownNotRun() {
        #expect(
            HTML.escape("<script>alert('x')</script> & \"y\"")
                == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;")
    }
}
