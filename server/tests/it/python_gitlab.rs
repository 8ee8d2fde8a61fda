//! python-gitlab, an unchanged GitLab client from PyPI (installed by `make test`),
//! drives a whole scenario over REST and GraphQL: `tests/clients/python_gitlab_scenario.py`.

use crate::common;

use common::{start, Backend, ROOT_TOKEN};

on_both!(python_gitlab_drives_the_scenario);

async fn python_gitlab_drives_the_scenario(backend: Backend) {
    let server = start(backend, &[]).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/python_gitlab_scenario.py");
    let output = tokio::process::Command::new("python3")
        .arg(script)
        .arg(&server.base)
        .arg(ROOT_TOKEN)
        .output()
        .await
        .expect("python3 (make test installs python-gitlab)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && stdout.contains("scenario ok"), "stdout:\n{stdout}\nstderr:\n{stderr}");
}
