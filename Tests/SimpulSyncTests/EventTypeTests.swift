import Foundation
import SimpulDomain
import SimpulSync
import Testing

/// The one list of event types (`EventType`) is the list the published schemas name, and the
/// authorization rule chooses wire codes by its typed reasons.
@Suite(.timeLimit(.minutes(10))) struct EventTypeTests {
    static let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sync-schemas/v1")

    static func schema(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: schemas.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(name) is no object")
    }

    @Test func theSchemasNameExactlyTheEventTypes() throws {
        let wireStrings = EventType.allCases.map(\.rawValue)

        // defs.schema.json: the enum every `type` field refers to, in the same order.
        let defs = try Self.schema("defs.schema.json")
        let eventType = try #require((defs["$defs"] as? [String: Any])?["eventType"] as? [String: Any])
        #expect(eventType["enum"] as? [String] == wireStrings)

        // event-data.schema.json: one data rule per type, each type once.
        let eventData = try Self.schema("event-data.schema.json")
        let rules = try #require(eventData["allOf"] as? [[String: Any]])
        let ruled = rules.compactMap { rule -> String? in
            let properties = (rule["if"] as? [String: Any])?["properties"] as? [String: Any]
            return (properties?["type"] as? [String: Any])?["const"] as? String
        }
        #expect(ruled.count == rules.count, "a data rule of event-data.schema.json names no type")
        #expect(ruled == wireStrings)
        #expect(
            ((eventData["properties"] as? [String: Any])?["type"] as? [String: Any])?["$ref"] as? String
                == "defs.schema.json#/$defs/eventType")

        // wire-event.schema.json: the `type` of an event on the wire is that same enum.
        let wireEvent = try Self.schema("wire-event.schema.json")
        let typeField = try #require((wireEvent["properties"] as? [String: Any])?["type"] as? [String: Any])
        #expect(typeField["$ref"] as? String == "defs.schema.json#/$defs/eventType")
        #expect(typeField["enum"] == nil)
    }

    @Test func everyTypeReadsItsOwnWireString() {
        for type in EventType.allCases {
            #expect(EventType(rawValue: type.rawValue) == type)
            #expect("\(type)" == type.rawValue)
        }
        #expect(EventType(rawValue: "permohonan.unknown") == nil)
    }

    @Test(arguments: [
        // (author, partition, type, expected wire code or nil when allowed)
        ("33.74.01", "33.74.01", EventType.registered, nil),
        ("33.74.01-2", "33.74.01", .attached, nil),
        ("33.74", "33.74.01", .decided, nil),
        ("33.74", "33.74", .catalogPublished, nil),
        ("33.74.01", "33.74.02", .registered, SyncError.Code.forbiddenPartition),
        ("33.74", "33.75.01", .decided, .forbiddenPartition),
        ("33.74", "33.74", .decided, .forbiddenPartition),
        ("33.74.01", "33.74.01", .decided, .forbiddenType),
        ("33.74", "33.74.01", .registered, .forbiddenType),
        ("33.74", "33.74.01", .calendarPublished, .forbiddenType),
    ])
    func refusalsChooseTheirWireCodeByReason(
        author: String, partition: String, type: EventType, expected: SyncError.Code?
    ) throws {
        let node = try #require(NodeID(author))
        let refusal = EventAuthorization.refusal(type: type, author: node, partition: partition)
        #expect(refusal.map { SyncError($0).code } == expected, "\(author) writing \(type) into \(partition)")
    }

    @Test func eachTypeHasOneWriterAndOnlyHubTypesAreGlobal() {
        for type in EventType.allCases where type.isGlobal {
            #expect(type.writer == .hub, "\(type) is reference data but not written by the hub")
        }
        #expect(EventType.allCases.filter(\.isGlobal) == [.catalogPublished, .calendarPublished])
    }
}
