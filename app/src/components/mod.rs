pub mod avatar_input;
pub mod award_manager;
pub mod reactions;
pub mod top_bar;
