// A fixed, test-only codec key: recorded history fixtures are encrypted with it, so replay tests can
// decode them. It protects nothing; real keys come from CODEC_KEYS or .data/secrets.json.
export const TEST_CODEC_KEYS = 'test1:dGVzdC1vbmx5LWtleS1odWFuamllLXRlc3RzLTMyYnk=';
