import CLibPQ

/// Checks a `DATABASE_URL` the way libpq will read it, before any connection is tried. libpq's own parse
/// errors quote the offending text, which can be the password, so they are never passed on.
public enum ConnectionURL {
    public static func isValid(_ url: String) -> Bool {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &error) else {
            if let error { PQfreemem(error) }
            return false
        }
        PQconninfoFree(options)
        return true
    }
}
