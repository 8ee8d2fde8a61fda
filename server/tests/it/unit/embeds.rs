use server::embeds::username_in;

#[test]
fn shared_urls_name_a_profile() {
    let base = "https://laurel.example";
    assert_eq!(username_in(base, "https://laurel.example/carol").as_deref(), Some("carol"));
    assert_eq!(username_in(base, "https://laurel.example/carol/").as_deref(), Some("carol"));
    let badge = "https://laurel.example/carol/achievements.svg?layout=count";
    assert_eq!(username_in(base, badge).as_deref(), Some("carol"));
    assert_eq!(username_in(base, "https://laurel.example/-/embed/carol").as_deref(), Some("carol"));
    assert_eq!(username_in(base, "https://other.example/carol"), None);
    assert_eq!(username_in(base, "https://laurel.example.evil/carol"), None);
    assert_eq!(username_in(base, "https://laurel.example/heroes/website"), None);
    assert_eq!(username_in(base, "https://laurel.example/"), None);
    assert_eq!(username_in(base, "https://laurel.example/-"), None);
}
