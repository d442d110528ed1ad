//! Native decoders run in a child process.
//!
//! A C or C++ decoder fed hostile bytes can crash the process or spin
//! forever, and `catch_unwind` catches neither. Every reader that calls
//! native code ([`crate::readers::rar`]) therefore runs it here: the parent starts a
//! child (the leakcheck binary's hidden `decode-native` command, or any
//! program that calls [`serve_child`]), sends it one job as a JSON line on
//! stdin, and reads framed events back from its stdout. The child is killed
//! when the container's time is up; a crash or a hang costs that container,
//! with the reason ("decoder crashed: signal 11", "decoder stopped after
//! 600 s"), and never the run.
//!
//! Frames: one tag byte, a little-endian `u32` length, the payload.
//! `M` starts a member (JSON), `D` carries some of its bytes, `E` ends it
//! (JSON: `{"error": ...}` when its bytes are not to be trusted), `L` ends
//! the container (JSON: listing facts).

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use serde_json::Value;

use crate::{ExtractError, Result};

/// Largest frame accepted from a child (member bytes come in 256 KiB chunks).
const MAX_FRAME: usize = 4 << 20;

/// Set only by tests: makes the child crash (`crash`: a real SIGSEGV) or
/// hang (`hang`) before decoding, to prove a native fault costs one container.
pub const TEST_FAULT_ENV: &str = "LEAKCHECK_TEST_DECODER_FAULT";

/// How to start a decoder child.
#[derive(Clone, Debug)]
pub struct DecoderCommand {
    /// The program (the leakcheck binary itself, in normal use).
    pub program: PathBuf,
    /// Arguments that make it a decoder child (`["decode-native"]`).
    pub args: Vec<String>,
}

/// A decoder child's command and how long it may run.
#[derive(Clone, Debug)]
pub struct Isolation {
    /// How to start it.
    pub command: DecoderCommand,
    /// Wall-clock seconds one container may take (`max_store_seconds`).
    pub max_seconds: u64,
}

/// One event from the child.
pub(crate) enum Frame {
    Member(Value),
    Data(Vec<u8>),
    End(Value),
    Listing(Value),
}

/// A running decoder child. Dropping it kills the child.
pub(crate) struct Decoder {
    child: Child,
    frames: Receiver<io::Result<Frame>>,
    deadline: Instant,
    max_seconds: u64,
    /// Set once the child has failed; every later read returns it.
    failed: Option<String>,
}

impl Decoder {
    /// Starts the child and sends it `job`.
    pub(crate) fn spawn(iso: &Isolation, job: &Value) -> Result<Decoder> {
        let mut child = Command::new(&iso.command.program)
            .args(&iso.command.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                ExtractError::malformed(
                    "decoder",
                    format!("cannot start {}: {e}", iso.command.program.display()),
                )
            })?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let line = format!("{job}\n");
        // A child that dies at once closes its stdin: that shows below as a crash.
        let _ = stdin.write_all(line.as_bytes());
        drop(stdin);
        let stdout = child.stdout.take().expect("piped stdout");
        // Bounded, so a fast child waits for a slow consumer (the pipe too).
        let (tx, rx) = crossbeam_channel::bounded(16);
        std::thread::Builder::new()
            .name("decoder-frames".into())
            .spawn(move || read_frames(stdout, tx))
            .map_err(ExtractError::from)?;
        Ok(Decoder {
            child,
            frames: rx,
            deadline: Instant::now() + Duration::from_secs(iso.max_seconds),
            max_seconds: iso.max_seconds,
            failed: None,
        })
    }

    /// The next frame; `Err` with the reason when the child crashed, hung or
    /// broke the protocol. The child is killed before an error is returned.
    pub(crate) fn next(&mut self) -> std::result::Result<Frame, String> {
        if let Some(why) = &self.failed {
            return Err(why.clone());
        }
        let wait = self.deadline.saturating_duration_since(Instant::now());
        let why = match self.frames.recv_timeout(wait) {
            Ok(Ok(frame)) => return Ok(frame),
            Ok(Err(e)) => format!("decoder sent a broken frame: {e}"),
            Err(RecvTimeoutError::Timeout) => {
                format!("decoder stopped after {} s", self.max_seconds)
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.wait_briefly();
                describe_exit(status)
            }
        };
        self.kill();
        self.failed = Some(why.clone());
        Err(why)
    }

    /// Waits a moment for an exited child's status (its stdout closed).
    fn wait_briefly(&mut self) -> Option<ExitStatus> {
        let until = Instant::now() + Duration::from_secs(2);
        loop {
            match self.child.try_wait() {
                Ok(Some(s)) => return Some(s),
                Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(5)),
                _ => return None,
            }
        }
    }

    /// Stops the child (a limit was reached, or it failed).
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Reads the rest of the current member's frames (its reader was not
    /// read to the end). Returns the end frame's facts.
    pub(crate) fn drain_member(&mut self) -> std::result::Result<Value, String> {
        loop {
            match self.next()? {
                Frame::Data(_) => {}
                Frame::End(v) => return Ok(v),
                _ => return Err("decoder protocol: member not ended".into()),
            }
        }
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        self.kill();
    }
}

fn describe_exit(status: Option<ExitStatus>) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Some(s) if s.signal().is_some() => {
            format!("decoder crashed: signal {}", s.signal().unwrap_or(0))
        }
        Some(s) if s.success() => "decoder ended without finishing the container".into(),
        Some(s) => format!("decoder exited with status {}", s.code().unwrap_or(-1)),
        None => "decoder ended its output but did not exit".into(),
    }
}

fn read_frames(stdout: ChildStdout, tx: crossbeam_channel::Sender<io::Result<Frame>>) {
    let mut r = BufReader::with_capacity(256 << 10, stdout);
    loop {
        let mut head = [0u8; 5];
        match r.read_exact(&mut head) {
            Ok(()) => {}
            Err(_) => return, // EOF: the parent looks at the exit status
        }
        let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
        if len > MAX_FRAME {
            let _ = tx.send(Err(io::Error::other(format!("{len}-byte frame"))));
            return;
        }
        let mut payload = vec![0u8; len];
        if let Err(e) = r.read_exact(&mut payload) {
            let _ = tx.send(Err(e));
            return;
        }
        let json = || serde_json::from_slice::<Value>(&payload).map_err(io::Error::other);
        let frame = match head[0] {
            b'D' => Ok(Frame::Data(payload)),
            b'M' => json().map(Frame::Member),
            b'E' => json().map(Frame::End),
            b'L' => json().map(Frame::Listing),
            t => Err(io::Error::other(format!("unknown frame tag {t}"))),
        };
        let stop = frame.is_err();
        if tx.send(frame).is_err() || stop {
            return;
        }
    }
}

/// A member's bytes as they come from the child. A read fails when the
/// child says the bytes are wrong (CRC, short, missing volume) or when the
/// child fails: bytes that are not the member's are never handed over as if
/// they were.
pub(crate) struct MemberStream<'a> {
    decoder: &'a mut Decoder,
    buf: Vec<u8>,
    pos: usize,
    /// The end frame, once read.
    pub(crate) end: Option<std::result::Result<Value, String>>,
}

impl<'a> MemberStream<'a> {
    pub(crate) fn new(decoder: &'a mut Decoder) -> MemberStream<'a> {
        MemberStream {
            decoder,
            buf: Vec::new(),
            pos: 0,
            end: None,
        }
    }

    /// Reads what the consumer left, so the next frame is the next member's.
    pub(crate) fn finish(mut self) -> std::result::Result<Value, String> {
        match self.end.take() {
            Some(end) => end,
            None => self.decoder.drain_member(),
        }
    }
}

impl Read for MemberStream<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.buf.len() {
                let n = out.len().min(self.buf.len() - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            match &self.end {
                Some(Ok(v)) => {
                    return match v.get("error").and_then(Value::as_str) {
                        Some(why) => Err(io::Error::other(why.to_string())),
                        None => Ok(0),
                    };
                }
                Some(Err(why)) => return Err(io::Error::other(why.clone())),
                None => {}
            }
            match self.decoder.next() {
                Ok(Frame::Data(d)) => {
                    self.buf = d;
                    self.pos = 0;
                }
                Ok(Frame::End(v)) => self.end = Some(Ok(v)),
                Ok(_) => self.end = Some(Err("decoder protocol: member not ended".into())),
                Err(why) => self.end = Some(Err(why)),
            }
        }
    }
}

/// The child's side: writes frames to stdout.
pub struct FrameWriter<W: Write> {
    out: BufWriter<W>,
}

impl<W: Write> FrameWriter<W> {
    pub(crate) fn new(out: W) -> FrameWriter<W> {
        FrameWriter {
            out: BufWriter::with_capacity(256 << 10, out),
        }
    }

    fn frame(&mut self, tag: u8, payload: &[u8]) -> io::Result<()> {
        self.out.write_all(&[tag])?;
        self.out.write_all(&(payload.len() as u32).to_le_bytes())?;
        self.out.write_all(payload)
    }

    pub(crate) fn member(&mut self, v: &Value) -> io::Result<()> {
        self.frame(b'M', v.to_string().as_bytes())
    }

    pub(crate) fn data(&mut self, d: &[u8]) -> io::Result<()> {
        for chunk in d.chunks(256 << 10) {
            self.frame(b'D', chunk)?;
        }
        Ok(())
    }

    pub(crate) fn end(&mut self, v: &Value) -> io::Result<()> {
        self.frame(b'E', v.to_string().as_bytes())?;
        self.out.flush()
    }

    pub(crate) fn listing(&mut self, v: &Value) -> io::Result<()> {
        self.frame(b'L', v.to_string().as_bytes())?;
        self.out.flush()
    }
}

/// The child's entry point: reads one job from stdin, decodes it, writes
/// frames to stdout. Returns the process exit code. Call it from a binary's
/// hidden command; nothing else belongs in that process.
pub fn serve_child() -> i32 {
    let mut line = String::new();
    if io::stdin().read_line(&mut line).is_err() {
        return 2;
    }
    let Ok(job) = serde_json::from_str::<Value>(&line) else {
        return 2;
    };
    match std::env::var(TEST_FAULT_ENV).as_deref() {
        Ok("crash") => {
            // A real SIGSEGV, as a broken decoder would die of (Rust's own
            // handler, there for stack overflows, is put back to the default).
            // SAFETY: signal() and raise() only concern this process.
            unsafe {
                libc::signal(libc::SIGSEGV, libc::SIG_DFL);
                libc::raise(libc::SIGSEGV);
            }
        }
        Ok("hang") => loop {
            std::thread::sleep(Duration::from_secs(1));
        },
        _ => {}
    }
    let mut out = FrameWriter::new(io::stdout().lock());
    let done = match job.get("format").and_then(Value::as_str) {
        Some("rar") => crate::readers::rar::child::decode(&job, &mut out),
        _ => Err(io::Error::other("unknown job")),
    };
    match done {
        Ok(()) => 0,
        Err(_) => 3,
    }
}
