pub mod achievement_fields;
pub mod award_manager;
pub mod emblem;
pub mod icon;
pub mod reactions;
pub mod search_as_you_type;
pub mod toast;
pub mod top_bar;
