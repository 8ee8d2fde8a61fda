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

#[test]
fn a_baked_png_gives_its_credential_back_and_a_file_of_endless_chunks_gives_none() {
    use app::domain::baking::{bake_png, credential_in};
    let baked = bake_png(None, "header.payload.signature").expect("baked");
    assert_eq!(credential_in(&baked).as_deref(), Some("header.payload.signature"));
    // The signature, then a million empty chunks before the credential: read no further than a PNG goes.
    let mut endless = baked[..8].to_vec();
    let empty = [0u8, 0, 0, 0, b't', b'E', b'X', b't', 0, 0, 0, 0];
    for _ in 0..1_000_000 {
        endless.extend_from_slice(&empty);
    }
    endless.extend_from_slice(&baked[8..]);
    assert_eq!(credential_in(&endless), None);
}
