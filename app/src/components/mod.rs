pub mod top_bar;
