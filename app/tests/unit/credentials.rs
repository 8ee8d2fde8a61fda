use app::domain::credentials::issuer_did;

#[test]
fn the_issuer_is_the_instance_as_did_web() {
    assert_eq!(issuer_did("https://laurel.example.com"), "did:web:laurel.example.com");
    assert_eq!(issuer_did("https://laurel.example.com/"), "did:web:laurel.example.com");
    assert_eq!(issuer_did("http://localhost:3000"), "did:web:localhost%3A3000", "a port's colon percent-encoded");
    assert_eq!(
        issuer_did("https://laurel.example.com:443"),
        "did:web:laurel.example.com",
        "the default port is no port"
    );
}
