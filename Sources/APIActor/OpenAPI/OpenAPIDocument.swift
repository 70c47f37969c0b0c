/// The OpenAPI 3.1 document of every route (`GET /openapi.json`). Written by hand in `openapi.json` at the
/// repository root; `json` is that file's text, embedded by `Sandbox/scripts/generate-openapi-swift.py` in
/// `OpenAPIDocument+Generated.swift` so the binary needs no file beside it. Tests hold the two equal, validate
/// the document, hold it against the router's routes, real answers and the validator's limits, and `make test`
/// runs schemathesis against it.
public enum OpenAPIDocument {}
