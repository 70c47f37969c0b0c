import CCurl

enum CurlGlobal {
    /// `curl_global_init` is not safe to race with other curl calls; a `static let` runs it
    /// exactly once (Swift guards lazy statics with a once-token).
    static let initResult: Int = Int(curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue)
}
