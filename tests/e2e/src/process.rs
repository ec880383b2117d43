//! Child processes in their own process groups, killed as a group.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use std::os::unix::process::CommandExt;

use crate::failure::{Outcome, setup};

/// A process and everything it starts, in one process group.
#[derive(Debug)]
pub struct Group {
    name: &'static str,
    child: Child,
    killed: bool,
}

impl Group {
    pub fn spawn(name: &'static str, mut command: Command) -> Outcome<Self> {
        command.process_group(0);
        let child = command
            .spawn()
            .map_err(|err| setup(format!("cannot start {name}: {err}")))?;
        Ok(Self {
            name,
            child,
            killed: false,
        })
    }

    /// The group's id, which is the leader's pid.
    pub fn pgid(&self) -> u32 {
        self.child.id()
    }

    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Kills every process of the group and waits until none is left.
    pub fn kill(&mut self) {
        if std::mem::replace(&mut self.killed, true) {
            return;
        }
        let pgid = self.pgid();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .stderr(std::process::Stdio::null())
            .status();
        let _ = self.child.wait();
        // Grandchildren are reparented and reaped by init; wait for them to go.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !processes_in_group(pgid).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let left = processes_in_group(pgid);
        if !left.is_empty() {
            eprintln!("{}: processes {left:?} outlived the kill", self.name);
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The live (not zombie) processes whose process group is `pgid`, from /proc.
pub fn processes_in_group(pgid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat =
                std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat"))
                    .unwrap_or_default();
            // Fields after the command name, which is in parentheses: state ppid pgrp ...
            let rest = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
            let mut fields = rest.split_whitespace();
            let state = fields.next();
            let group = fields.nth(1).and_then(|value| value.parse::<u32>().ok());
            group == Some(pgid) && state != Some("Z")
        })
        .collect()
}
