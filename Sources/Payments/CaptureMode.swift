/// `manual` places a hold to capture later; `automatic` charges at once.
public enum CaptureMode: String, Sendable, Codable, CaseIterable {
    case manual
    case automatic
}
