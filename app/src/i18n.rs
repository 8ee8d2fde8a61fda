//! Every user-visible string, in English, Korean and Japanese. A missing
//! translation is a compile error: each language fills the whole [`Strings`].

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    Ko,
    Ja,
}

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "laurel_lang";

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ko, Lang::Ja];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
            Lang::Ja => "ja",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().get(..2)?.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header.split(',').filter_map(|part| Lang::from_code(part.split(';').next()?)).next()
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ko => "한국어",
            Lang::Ja => "日本語",
        }
    }

    pub fn t(self) -> &'static Strings {
        match self {
            Lang::En => &EN,
            Lang::Ko => &KO,
            Lang::Ja => &JA,
        }
    }
}

pub struct Strings {
    pub app_tagline: &'static str,
    pub home_title: &'static str,
    pub home_intro: &'static str,
    pub home_signed_in_as: &'static str,
    pub home_your_profile: &'static str,
    pub nav_home: &'static str,
    pub nav_sign_in: &'static str,
    pub nav_sign_out: &'static str,
    pub nav_profile: &'static str,
    pub nav_language: &'static str,
    pub sign_in_title: &'static str,
    pub sign_in_login: &'static str,
    pub sign_in_password: &'static str,
    pub sign_in_submit: &'static str,
    pub sign_in_failed: &'static str,
    pub achievements: &'static str,
    pub no_achievements: &'static str,
    pub private_namespace: &'static str,
    pub awarded_by: &'static str,
    pub awarded_on: &'static str,
    pub not_found: &'static str,
    pub error_generic: &'static str,
    pub loading: &'static str,
}

pub static EN: Strings = Strings {
    app_tagline: "Achievements and reactions for your groups",
    home_title: "Welcome to Laurel",
    home_intro: "Recognise the people in your groups with achievements, and react to issues, merge requests and comments with emoji. Existing GitLab API clients work unchanged.",
    home_signed_in_as: "Signed in as",
    home_your_profile: "Your profile",
    nav_home: "Home",
    nav_sign_in: "Sign in",
    nav_sign_out: "Sign out",
    nav_profile: "Profile",
    nav_language: "Language",
    sign_in_title: "Sign in to Laurel",
    sign_in_login: "Username or email",
    sign_in_password: "Password",
    sign_in_submit: "Sign in",
    sign_in_failed: "Invalid login or password.",
    achievements: "Achievements",
    no_achievements: "No achievements yet.",
    private_namespace: "a private namespace",
    awarded_by: "Awarded by",
    awarded_on: "Awarded on",
    not_found: "This page could not be found.",
    error_generic: "Something went wrong. Please try again.",
    loading: "Loading…",
};

pub static KO: Strings = Strings {
    app_tagline: "그룹을 위한 성취와 반응",
    home_title: "Laurel에 오신 것을 환영합니다",
    home_intro: "성취로 그룹의 구성원을 인정하고, 이슈와 병합 요청, 댓글에 이모지로 반응하세요. 기존 GitLab API 클라이언트가 그대로 동작합니다.",
    home_signed_in_as: "로그인 사용자",
    home_your_profile: "내 프로필",
    nav_home: "홈",
    nav_sign_in: "로그인",
    nav_sign_out: "로그아웃",
    nav_profile: "프로필",
    nav_language: "언어",
    sign_in_title: "Laurel에 로그인",
    sign_in_login: "사용자 이름 또는 이메일",
    sign_in_password: "비밀번호",
    sign_in_submit: "로그인",
    sign_in_failed: "로그인 정보 또는 비밀번호가 올바르지 않습니다.",
    achievements: "성취",
    no_achievements: "아직 성취가 없습니다.",
    private_namespace: "비공개 네임스페이스",
    awarded_by: "수여자",
    awarded_on: "수여일",
    not_found: "페이지를 찾을 수 없습니다.",
    error_generic: "문제가 발생했습니다. 다시 시도해 주세요.",
    loading: "불러오는 중…",
};

pub static JA: Strings = Strings {
    app_tagline: "グループのためのアチーブメントとリアクション",
    home_title: "Laurelへようこそ",
    home_intro: "アチーブメントでグループのメンバーを称え、イシュー、マージリクエスト、コメントに絵文字でリアクションしましょう。既存のGitLab APIクライアントはそのまま動作します。",
    home_signed_in_as: "ログイン中のユーザー",
    home_your_profile: "自分のプロフィール",
    nav_home: "ホーム",
    nav_sign_in: "サインイン",
    nav_sign_out: "サインアウト",
    nav_profile: "プロフィール",
    nav_language: "言語",
    sign_in_title: "Laurelにサインイン",
    sign_in_login: "ユーザー名またはメールアドレス",
    sign_in_password: "パスワード",
    sign_in_submit: "サインイン",
    sign_in_failed: "ログイン情報またはパスワードが正しくありません。",
    achievements: "アチーブメント",
    no_achievements: "アチーブメントはまだありません。",
    private_namespace: "非公開のネームスペース",
    awarded_by: "授与者",
    awarded_on: "授与日",
    not_found: "ページが見つかりません。",
    error_generic: "問題が発生しました。もう一度お試しください。",
    loading: "読み込み中…",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_first_supported() {
        assert_eq!(Lang::from_accept_language("fr-FR,ko;q=0.8,en;q=0.5"), Some(Lang::Ko));
        assert_eq!(Lang::from_accept_language("ja-JP"), Some(Lang::Ja));
        assert_eq!(Lang::from_accept_language("de"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }
}
