use app::components::emblem::{initials, EmblemLook};

#[test]
fn initials_take_the_first_letter_of_up_to_two_words() {
    assert_eq!(initials("Bug hunter"), "BH");
    assert_eq!(initials("contributor of the month"), "CO");
    assert_eq!(initials("Reviewer"), "R");
    assert_eq!(initials("  (alpha) tester "), "AT");
    // Hangul and kanji: one character, wide enough on its own.
    assert_eq!(initials("버그 사냥꾼"), "버");
    assert_eq!(initials("月間 貢献者"), "月");
    assert_eq!(initials(""), "");
}

#[test]
fn neighbouring_achievements_never_share_a_colour_and_32_never_share_a_look() {
    let looks: Vec<EmblemLook> = (1..=32).map(|id| EmblemLook::of(id, "Same name")).collect();
    for pair in looks.windows(2) {
        assert_ne!(pair[0].hue, pair[1].hue, "{pair:?}");
    }
    for (i, a) in looks.iter().enumerate() {
        for b in &looks[i + 1..] {
            assert!((a.shape, a.hue) != (b.shape, b.hue), "{a:?} and {b:?} look alike");
        }
    }
    // The same achievement looks the same wherever it is drawn.
    assert_eq!(EmblemLook::of(7, "Bug hunter"), EmblemLook::of(7, "Bug hunter"));
    // Negative or huge ids (never made by the store) still draw.
    assert!(EmblemLook::of(i64::MIN, "x").hue < 8 && EmblemLook::of(-1, "x").hue < 8);
}
