import CCurl

/// Stable names for the libcurl errors a client meets, for logs and `HTTPTransportError.code`.
enum CurlErrorName {
    static func of(_ code: CURLcode) -> String {
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL: "unsupported_protocol"
        case CURLE_URL_MALFORMAT: "url_malformat"
        case CURLE_COULDNT_RESOLVE_PROXY: "couldnt_resolve_proxy"
        case CURLE_COULDNT_RESOLVE_HOST: "couldnt_resolve_host"
        case CURLE_COULDNT_CONNECT: "couldnt_connect"
        case CURLE_PARTIAL_FILE: "partial_response"
        case CURLE_WRITE_ERROR: "write_error"
        case CURLE_READ_ERROR: "read_error"
        case CURLE_OUT_OF_MEMORY: "out_of_memory"
        case CURLE_OPERATION_TIMEDOUT: "operation_timedout"
        case CURLE_ABORTED_BY_CALLBACK: "aborted"
        case CURLE_SSL_CONNECT_ERROR: "ssl_connect_error"
        case CURLE_PEER_FAILED_VERIFICATION: "peer_failed_verification"
        case CURLE_GOT_NOTHING: "empty_reply"
        case CURLE_SEND_ERROR: "send_error"
        case CURLE_RECV_ERROR: "recv_error"
        case CURLE_SSL_CACERT_BADFILE: "ssl_cacert_badfile"
        case CURLE_SSL_CERTPROBLEM: "ssl_certproblem"
        case CURLE_SSL_CIPHER: "ssl_cipher"
        default: "curl_error_\(code.rawValue)"
        }
    }
}
