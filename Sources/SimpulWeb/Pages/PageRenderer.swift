import Mustache

/// Renders pages from Mustache templates compiled into the binary. `{{x}}` escapes HTML; a template
/// uses `{{{x}}}` only for markup this program made itself (a rendered page body inside the frame).
public struct PageRenderer: Sendable {
    private let library: MustacheLibrary

    /// - Throws: the template's parse error; templates are constants, so this fails the first test run.
    public init(templates: [String: String]) throws {
        var library = MustacheLibrary()
        for (name, text) in templates { try library.register(text, named: name) }
        self.library = library
    }

    /// The rendered template, or a line naming the missing template (a programming error shown, not trapped).
    public func render(_ name: String, _ object: Any) -> String {
        library.render(object, withTemplate: name) ?? "<p>Templat \(HTML.escape(name)) tidak ada.</p>"
    }
}

/// A view whose values a template reads by name through `child(named:)` instead of by reflection:
/// for the rows of long lists, where reflecting every row for every name is most of a page's time.
public typealias TemplateValues = MustacheParent
