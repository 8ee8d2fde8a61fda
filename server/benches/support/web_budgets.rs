//! The web app's budgets (issue 4), on the server the API bench already filled:
//! the profile page of the user with 100 awards, server-rendered. Printed,
//! not asserted. (Live fan-out is `live.rs`.)

use super::{drive, shared_client, Mode, Request, Step, CONNECTIONS};
use std::sync::Arc;

pub async fn profile_page(base: &str, username: &str) {
    let url = format!("{base}/{username}");
    let page: Request = Arc::new(move |_, _| {
        let url = url.clone();
        Box::pin(async move {
            let run = async {
                let response = shared_client().get(&url).send().await.ok()?;
                let ok = response.status() == 200;
                let body = response.text().await.ok()?;
                (ok && body.contains("achievement-list")).then_some(())
            };
            Step::from(run.await)
        })
    });
    let failed = |n: usize| if n > 0 { format!(" ({n} failed)") } else { String::new() };
    let one = drive(page.clone(), Mode::Serial).await;
    println!(
        "Profile page with 100 awards, server-rendered, one request at a time: p50 {:.2} ms, p99 {:.2} ms (budget p99 < 20 ms){}",
        one.p50,
        one.p99,
        failed(one.failed)
    );
    let busy = drive(page, Mode::Closed).await;
    println!(
        "  and under {CONNECTIONS} connections: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms{}",
        busy.rate,
        busy.p50,
        busy.p99,
        failed(busy.failed)
    );
}
