import SimpulDomain
import SimpulStore

/// The document the PTSP issued on a file, as both front ends show it: its number, and whether its
/// bytes are here to be opened and printed.
public struct IssuedDocumentView: Sendable {
    public var sha: String
    public var number: String
    public var name: String
    public var size: String
    /// The bytes are held complete: the document opens and prints.
    public var complete: Bool
    /// Who attached it and when, for the page's caption.
    public var attachedBy: String

    /// The latest issued document of `p`, or nil when the PTSP has sent none.
    public init?(_ p: Permohonan, blobs: [String: StoredBlob], events: [Event], zona: Zona) {
        guard let f = p.issuedDocument, let number = f.attachment.issuedNumber else { return nil }
        sha = f.attachment.sha256
        self.number = FreeText.shown(number)
        name = FreeText.shown(f.attachment.name)
        size = Attachment.sizeText(f.attachment.size)
        complete = blobs[f.attachment.sha256]?.complete ?? false
        let event = events.first { $0.dot == f.dot }
        attachedBy =
            event.map { "\(FreeText.shown($0.officer)), \(WebPage.moment($0.at, zona: zona))" } ?? f.dot.node
    }

}
