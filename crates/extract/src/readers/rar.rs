//! RAR 1.5 to 5, through the reference decoder (RARLAB's UnRAR library,
//! built from source by `unrar_sys`), always in a child process
//! ([`crate::native`]): UnRAR is C++ and meets hostile bytes here.
//!
//! We call `unrar_sys` rather than the `unrar` crate's wrapper because the
//! wrapper hides what a forensic reader needs (link records, packed sizes,
//! per-member checksum results, a streaming data callback that can stop a
//! member at its declared size) and panics on header flags it does not know.
//!
//! Multi-volume sets (`.partN.rar`, `.rar` + `.rNN`) are read from the first
//! volume, the others placed beside it under their own names, so UnRAR
//! joins them; split pieces (`_aa`, `_ab`..., `.001`, `.002`...) are joined
//! byte for byte first. A member that needs a volume that is not there is
//! unreadable with the reason ("volume 3 of 5 missing"): its bytes are never
//! handed over cut short.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::native::{Decoder, Frame, Isolation, MemberStream};
use crate::{ExtractError, Flow, Listing, Member, MemberData, Result, Sink};

/// One volume (or split piece) of an archive: its name in the source and
/// where its bytes are.
#[derive(Clone, Debug)]
pub struct Volume {
    /// File name (no folder), as in the source.
    pub name: String,
    /// Where to read it.
    pub path: PathBuf,
    /// Its number in the set (1 for the first).
    pub number: u32,
}

/// An archive to read: one file, or the volumes of a set found together.
#[derive(Clone, Debug)]
pub struct RarSource {
    /// The volumes present, in order (the first one alone for a plain archive).
    pub volumes: Vec<Volume>,
    /// Byte-split pieces to join before reading, rather than RAR volumes.
    pub joined: bool,
    /// Volume numbers missing from the set (gaps below the highest found).
    pub missing: Vec<u32>,
    /// Passwords to try on encrypted archives, in order.
    pub passwords: Vec<String>,
    /// Members larger than this are not decoded.
    pub max_item_bytes: u64,
}

/// How a file name places it in a volume set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeName {
    /// What every volume of the set shares (stem and naming scheme).
    pub set: String,
    /// 1-based number in the set.
    pub number: u32,
    /// Byte-split pieces (`_aa`, `.001`) rather than RAR volumes.
    pub joined: bool,
}

/// Recognises the names of volume sets: `x.part1.rar`, `x.rar` + `x.r00`,
/// `x_aa` + `x_ab` (split(1)'s pieces), `x.001` + `x.002`. A name alone is
/// only a candidate; a set needs at least two of them in one folder.
pub fn volume_name(name: &str) -> Option<VolumeName> {
    let lower = name.to_ascii_lowercase();
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(stem) = lower.strip_suffix(".rar") {
        if let Some((base, n)) = stem.rsplit_once(".part")
            && digits(n)
        {
            let number = n.parse().ok()?;
            return Some(VolumeName {
                set: format!("{}.part#.rar", &name[..base.len()]),
                number,
                joined: false,
            });
        }
        return Some(VolumeName {
            set: format!("{}.r##", &name[..stem.len()]),
            number: 1,
            joined: false,
        });
    }
    let (base, ext) = lower.rsplit_once('.').unwrap_or((&lower, ""));
    if ext.len() >= 2 && ext.starts_with('r') && digits(&ext[1..]) {
        let n: u32 = ext[1..].parse().ok()?;
        return Some(VolumeName {
            set: format!("{}.r##", &name[..base.len()]),
            number: n + 2,
            joined: false,
        });
    }
    if ext.len() == 3 && digits(ext) {
        let n: u32 = ext.parse().ok()?;
        return (n > 0).then(|| VolumeName {
            set: format!("{}.###", &name[..base.len()]),
            number: n,
            joined: true,
        });
    }
    let b = lower.as_bytes();
    if b.len() > 3 && b[b.len() - 3] == b'_' {
        let (c1, c2) = (b[b.len() - 2], b[b.len() - 1]);
        if c1.is_ascii_lowercase() && c2.is_ascii_lowercase() {
            return Some(VolumeName {
                set: format!("{}_??", &name[..name.len() - 3]),
                number: u32::from(c1 - b'a') * 26 + u32::from(c2 - b'a') + 1,
                joined: true,
            });
        }
    }
    None
}

/// Reads every file of a RAR archive (or volume set) in a decoder child
/// and hands it to `sink`. RAR has no directory: `expected` is the number
/// of file headers read. Directories and links (symbolic, hard, junctions,
/// file copies) are recorded in the detail, never followed.
pub fn expand(source: &RarSource, iso: &Isolation, sink: &mut dyn Sink) -> Result<Listing> {
    let total = source
        .volumes
        .iter()
        .map(|v| v.number)
        .chain(source.missing.iter().copied())
        .max()
        .unwrap_or(1);
    let job = json!({
        "format": "rar",
        "volumes": source.volumes.iter().map(|v| json!({
            "name": v.name, "path": v.path, "number": v.number
        })).collect::<Vec<_>>(),
        "joined": source.joined,
        "missing": source.missing,
        "total": total,
        "passwords": source.passwords,
        "max_item_bytes": source.max_item_bytes,
    });
    let mut decoder = Decoder::spawn(iso, &job)?;
    let mut seen = 0u64;
    loop {
        let frame = match decoder.next() {
            Ok(f) => f,
            Err(why) => return Err(ExtractError::Native(why)),
        };
        match frame {
            Frame::Member(m) => {
                seen += 1;
                let (flow, failure) = hand_over(&m, &mut decoder, sink);
                if let Some(why) = failure {
                    return Err(ExtractError::Native(why));
                }
                if flow == Flow::Stop {
                    decoder.kill();
                    return Ok(Listing {
                        expected: seen,
                        detail: None,
                        warning: Some("stopped early: a limit was reached".into()),
                    });
                }
            }
            Frame::Listing(detail) => {
                return listing(detail, seen, source);
            }
            Frame::Data(_) | Frame::End(_) => {
                return Err(ExtractError::Native(
                    "decoder protocol: bytes outside a member".into(),
                ));
            }
        }
    }
}

/// Hands one member to the sink. Returns the sink's flow and, when the
/// child failed meanwhile, why.
fn hand_over(m: &Value, decoder: &mut Decoder, sink: &mut dyn Sink) -> (Flow, Option<String>) {
    let name = m["name"].as_str().unwrap_or_default().to_string();
    let index = m["index"].as_u64().unwrap_or_default();
    let declared_size = m["size"].as_u64();
    let compressed_size = m["packed"].as_u64();
    let extra = m.get("extra").cloned().filter(|e| !e.is_null());
    if let Some(n) = m["too_large"].as_u64() {
        let flow = sink.member(Member {
            name,
            index,
            declared_size,
            compressed_size,
            extra,
            data: MemberData::TooLarge(n),
        });
        return (flow, None);
    }
    if let Some(why) = m["unreadable"].as_str() {
        let flow = sink.member(Member {
            name,
            index,
            declared_size,
            compressed_size,
            extra,
            data: MemberData::Unreadable(why.to_string()),
        });
        return (flow, None);
    }
    let mut stream = MemberStream::new(decoder);
    let flow = sink.member(Member {
        name,
        index,
        declared_size,
        compressed_size,
        extra,
        data: MemberData::Reader(&mut stream),
    });
    match stream.finish() {
        Ok(_) => (flow, None),
        Err(why) => (flow, Some(why)),
    }
}

fn listing(detail: Value, seen: u64, source: &RarSource) -> Result<Listing> {
    if let Some(why) = detail["open_error"].as_str() {
        return Err(ExtractError::malformed("rar", why));
    }
    let header_error = detail["header_error"].as_str().map(str::to_string);
    if let Some(why) = &header_error
        && seen == 0
        && detail["directories"].as_u64() == Some(0)
    {
        return Err(ExtractError::malformed("rar", why));
    }
    let mut detail = detail;
    if source.volumes.len() > 1 || !source.missing.is_empty() {
        detail["volume_set"] = json!({
            "volumes": source.volumes.iter().map(|v| &v.name).collect::<Vec<_>>(),
            "missing": source.missing,
            "joined_pieces": source.joined,
        });
    }
    Ok(Listing {
        expected: seen,
        detail: Some(detail),
        warning: header_error.map(|e| format!("rar: {e} after {seen} members")),
    })
}

/// The decoding itself, run only in the child process.
pub(crate) mod child {
    use std::ffi::CString;
    use std::io::{self, Write};
    use std::os::raw::{c_int, c_uint};
    use std::path::{Path, PathBuf};

    use serde_json::{Value, json};
    use unrar_sys as ffi;

    use super::volume_name;
    use crate::native::FrameWriter;

    // UnRAR's dll.hpp declares its structs under `#pragma pack(1)`;
    // unrar_sys 0.5.8 declares them with natural alignment, which misplaces
    // every field after the first pointer (in RARHeaderDataEx: the times
    // read as zero, and UnRAR writes a link's target through a wrong
    // pointer and crashes). These two follow dll.hpp (UnRAR 7) exactly.
    #[repr(C, packed)]
    struct HeaderEx {
        arc_name: [std::os::raw::c_char; 1024],
        arc_name_w: [ffi::WCHAR; 1024],
        file_name: [std::os::raw::c_char; 1024],
        file_name_w: [ffi::WCHAR; 1024],
        flags: c_uint,
        pack_size: c_uint,
        pack_size_high: c_uint,
        unp_size: c_uint,
        unp_size_high: c_uint,
        host_os: c_uint,
        file_crc: c_uint,
        file_time: c_uint,
        unp_ver: c_uint,
        method: c_uint,
        file_attr: c_uint,
        cmt_buf: *mut std::os::raw::c_char,
        cmt_buf_size: c_uint,
        cmt_size: c_uint,
        cmt_state: c_uint,
        dict_size: c_uint,
        hash_type: c_uint,
        hash: [u8; 32],
        redir_type: c_uint,
        redir_name: *mut ffi::WCHAR,
        redir_name_size: c_uint,
        dir_target: c_uint,
        mtime_low: c_uint,
        mtime_high: c_uint,
        ctime_low: c_uint,
        ctime_high: c_uint,
        atime_low: c_uint,
        atime_high: c_uint,
        arc_name_ex: *mut ffi::WCHAR,
        arc_name_ex_size: c_uint,
        file_name_ex: *mut ffi::WCHAR,
        file_name_ex_size: c_uint,
        reserved: [c_uint; 982],
    }

    #[repr(C, packed)]
    struct OpenEx {
        arc_name: *const std::os::raw::c_char,
        arc_name_w: *const ffi::WCHAR,
        open_mode: c_uint,
        open_result: c_uint,
        cmt_buf: *mut std::os::raw::c_char,
        cmt_buf_size: c_uint,
        cmt_size: c_uint,
        cmt_state: c_uint,
        flags: c_uint,
        callback: Option<ffi::Callback>,
        user_data: ffi::LPARAM,
        op_flags: c_uint,
        cmt_buf_w: *mut ffi::WCHAR,
        reserved: [c_uint; 25],
    }

    // The same symbols as unrar_sys's declarations (which link the
    // library), with the structs above.
    #[allow(clashing_extern_declarations)]
    unsafe extern "C" {
        #[link_name = "RAROpenArchiveEx"]
        fn open_archive_ex(data: *mut OpenEx) -> *const ffi::Handle;
        #[link_name = "RARReadHeaderEx"]
        fn read_header_ex(handle: *const ffi::Handle, data: *mut HeaderEx) -> c_int;
    }

    /// What the UnRAR callback needs, reached through its user-data pointer.
    struct State<'a, W: Write> {
        out: &'a mut FrameWriter<W>,
        /// Bytes of the current member handed over so far.
        written: u64,
        /// Most bytes the current member may have (its declared size).
        limit: u64,
        /// When set, data goes here (a link's target) instead of to the parent.
        capture: Option<Vec<u8>>,
        /// Why the callback stopped the member.
        abort: Option<String>,
        /// A volume UnRAR asked for and did not find.
        missing_volume: Option<String>,
        /// The password to give when asked, as UTF-32.
        password: Option<Vec<ffi::WCHAR>>,
        /// The parent went away.
        broken: bool,
    }

    impl<'a, W: Write> State<'a, W> {
        /// Members go to `out`; UnRAR's request for a password is answered
        /// with `password`.
        fn new(out: &'a mut FrameWriter<W>, password: Option<&str>) -> Self {
            State {
                out,
                written: 0,
                limit: 0,
                capture: None,
                abort: None,
                missing_volume: None,
                // Without the terminating NUL that `to_wide` adds.
                password: password.map(|p| {
                    let w = to_wide(p);
                    w[..w.len() - 1].to_vec()
                }),
                broken: false,
            }
        }

        /// Trying `password`: the bytes of a member are captured, not sent.
        fn trying(out: &'a mut FrameWriter<W>, password: &str) -> Self {
            State {
                limit: u64::MAX,
                capture: Some(Vec::new()),
                ..State::new(out, Some(password))
            }
        }
    }

    extern "C" fn callback<W: Write>(
        msg: ffi::UINT,
        user: ffi::LPARAM,
        p1: ffi::LPARAM,
        p2: ffi::LPARAM,
    ) -> c_int {
        // SAFETY: `user` is the `State` that `decode` keeps alive while the
        // archive is open; UnRAR calls back on this thread only.
        let state = unsafe { &mut *(user as *mut State<'_, W>) };
        match msg {
            ffi::UCM_PROCESSDATA => {
                // SAFETY: UnRAR passes a buffer of `p2` bytes at `p1`.
                let data = unsafe { std::slice::from_raw_parts(p1 as *const u8, p2 as usize) };
                if let Some(buf) = &mut state.capture {
                    if buf.len() < 64 << 10 {
                        buf.extend_from_slice(data);
                    }
                    return 1;
                }
                state.written += data.len() as u64;
                if state.written > state.limit {
                    state.abort = Some(format!(
                        "decodes to more than the {} bytes its header declares",
                        state.limit
                    ));
                    return -1;
                }
                if state.out.data(data).is_err() {
                    state.broken = true;
                    return -1;
                }
                1
            }
            ffi::UCM_CHANGEVOLUMEW => {
                if p2 == ffi::RAR_VOL_ASK {
                    // SAFETY: UnRAR passes the NUL-terminated name it wants.
                    let name = unsafe { wide_ptr(p1 as *const ffi::WCHAR, 2048) };
                    state.missing_volume = Some(name);
                    return -1;
                }
                1
            }
            ffi::UCM_NEEDPASSWORDW => match &state.password {
                Some(pw) if (p2 as usize) > pw.len() => {
                    // SAFETY: UnRAR gives a buffer of `p2` wide characters.
                    let buf = unsafe {
                        std::slice::from_raw_parts_mut(p1 as *mut ffi::WCHAR, p2 as usize)
                    };
                    buf[..pw.len()].copy_from_slice(pw);
                    buf[pw.len()] = 0;
                    1
                }
                _ => -1,
            },
            _ => 0,
        }
    }

    unsafe fn wide_ptr(p: *const ffi::WCHAR, max: usize) -> String {
        if p.is_null() {
            return String::new();
        }
        let mut v = Vec::new();
        for i in 0..max {
            // SAFETY: the caller promises a NUL-terminated string within `max`.
            let c = unsafe { *p.add(i) };
            if c == 0 {
                break;
            }
            v.push(c);
        }
        wide(&v)
    }

    fn wide(w: &[ffi::WCHAR]) -> String {
        w.iter()
            .take_while(|&&c| c != 0)
            .map(|&c| char::from_u32(c as u32).unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    }

    fn to_wide(s: &str) -> Vec<ffi::WCHAR> {
        s.chars().map(|c| c as ffi::WCHAR).chain([0]).collect()
    }

    /// An open archive; closed on drop.
    struct Handle(*const ffi::Handle);

    impl Drop for Handle {
        fn drop(&mut self) {
            // SAFETY: the handle came from RAROpenArchiveEx and is closed once.
            unsafe { ffi::RARCloseArchive(self.0) };
        }
    }

    /// Lays the volumes out in a private folder under their own names (links
    /// to where they are), or joins split pieces into one file there.
    fn lay_out(job: &Value, dir: &Path) -> io::Result<PathBuf> {
        let vols = job["volumes"].as_array().cloned().unwrap_or_default();
        let name_of = |v: &Value| -> String {
            let n = v["name"].as_str().unwrap_or("archive.rar");
            let n = Path::new(n)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            if n.is_empty() || n.starts_with('.') {
                format!("archive{n}")
            } else {
                n
            }
        };
        let first = vols.first().ok_or_else(|| io::Error::other("no volume"))?;
        let first_path = dir.join(name_of(first));
        if job["joined"].as_bool() == Some(true) {
            let mut out = std::fs::File::create(&first_path)?;
            for v in &vols {
                let mut f = std::fs::File::open(v["path"].as_str().unwrap_or_default())?;
                io::copy(&mut f, &mut out)?;
            }
            return Ok(first_path);
        }
        for v in &vols {
            let target = std::fs::canonicalize(v["path"].as_str().unwrap_or_default())?;
            std::os::unix::fs::symlink(target, dir.join(name_of(v)))?;
        }
        Ok(first_path)
    }

    fn code_reason(code: c_int) -> &'static str {
        match code {
            ffi::ERAR_NO_MEMORY => "not enough memory to decode it",
            ffi::ERAR_BAD_DATA => "damaged data or checksum mismatch",
            ffi::ERAR_BAD_ARCHIVE => "not a RAR archive",
            ffi::ERAR_UNKNOWN_FORMAT => "unknown archive format or compression method",
            ffi::ERAR_EOPEN => "a volume could not be opened",
            ffi::ERAR_EREAD => "read error (truncated?)",
            ffi::ERAR_MISSING_PASSWORD => "encrypted",
            ffi::ERAR_BAD_PASSWORD => "encrypted: wrong password",
            ffi::ERAR_EREFERENCE => "a file reference whose source is not in the archive",
            ffi::ERAR_SMALL_BUF => "a name too long",
            _ => "unknown UnRAR error",
        }
    }

    /// Whether the job is one archive alone rather than a set.
    fn alone(job: &Value) -> bool {
        job["volumes"].as_array().is_none_or(|v| v.len() < 2)
            && job["missing"].as_array().is_none_or(|m| m.is_empty())
    }

    /// "volume 3 of 5 missing", from the name UnRAR asked for.
    fn missing_reason(asked: &str, job: &Value) -> String {
        let name = Path::new(asked)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let total = job["total"].as_u64().unwrap_or(0);
        match volume_name(&name) {
            Some(v) if !alone(job) && u64::from(v.number) <= total => {
                format!("volume {} of {total} missing ({name})", v.number)
            }
            Some(v) if !alone(job) => format!(
                "volume {} missing ({name}); the last volume found is {total}",
                v.number
            ),
            _ => format!("continues in a next volume that is not here ({name})"),
        }
    }

    /// Opens the archive with `password`; `None` when UnRAR refuses it, with why.
    fn open<W: Write>(
        path: &Path,
        state: &mut State<'_, W>,
    ) -> std::result::Result<(Handle, c_uint), c_int> {
        let wide_path = to_wide(&path.to_string_lossy());
        let narrow = CString::new(path.to_string_lossy().as_bytes()).unwrap_or_default();
        let mut data = OpenEx {
            arc_name: narrow.as_ptr(),
            arc_name_w: wide_path.as_ptr(),
            open_mode: ffi::RAR_OM_EXTRACT,
            open_result: 0,
            cmt_buf: std::ptr::null_mut(),
            cmt_buf_size: 0,
            cmt_size: 0,
            cmt_state: 0,
            flags: 0,
            callback: Some(callback::<W>),
            user_data: state as *mut State<'_, W> as ffi::LPARAM,
            op_flags: 0,
            cmt_buf_w: std::ptr::null_mut(),
            reserved: [0; 25],
        };
        // SAFETY: `data` and the strings it points to outlive the call.
        let h = unsafe { open_archive_ex(&mut data) };
        let (result, flags) = (data.open_result, data.flags);
        if h.is_null() || result != 0 {
            if !h.is_null() {
                drop(Handle(h));
            }
            return Err(result as c_int);
        }
        Ok((Handle(h), flags))
    }

    /// One header, or the UnRAR code that ended the walk.
    fn header(h: &Handle, redir: &mut [ffi::WCHAR]) -> std::result::Result<Box<HeaderEx>, c_int> {
        // SAFETY: all-zero is a valid HeaderEx (integers and null pointers),
        // and UnRAR wants the reserved area zeroed.
        let mut hd: Box<HeaderEx> = Box::new(unsafe { std::mem::zeroed() });
        redir.fill(0);
        hd.redir_name = redir.as_mut_ptr();
        hd.redir_name_size = redir.len() as c_uint;
        // SAFETY: `hd` and the buffer it points to outlive the call.
        let r = unsafe { read_header_ex(h.0, &mut *hd) };
        if r == 0 { Ok(hd) } else { Err(r) }
    }

    fn process(h: &Handle, op: c_int) -> c_int {
        // SAFETY: a valid handle, positioned at a file by RARReadHeaderEx.
        unsafe { ffi::RARProcessFileW(h.0, op, std::ptr::null(), std::ptr::null()) }
    }

    /// The first password (of `passwords`) that decodes the archive's first
    /// encrypted file, or lists it when its names are encrypted. Decoded
    /// bytes are not sent anywhere.
    fn choose_password(
        path: &Path,
        passwords: &[String],
        sink: &mut FrameWriter<io::Sink>,
    ) -> Option<usize> {
        let mut redir = vec![0 as ffi::WCHAR; 1024];
        for (i, pw) in passwords.iter().enumerate() {
            let mut state = State::trying(sink, pw);
            let Ok((h, _)) = open(path, &mut state) else {
                continue;
            };
            loop {
                match header(&h, &mut redir) {
                    Ok(hd)
                        if hd.flags & ffi::RHDF_ENCRYPTED != 0
                            && hd.flags & ffi::RHDF_DIRECTORY == 0 =>
                    {
                        if process(&h, ffi::RAR_TEST) == 0 {
                            return Some(i);
                        }
                        break;
                    }
                    Ok(_) => {
                        // A file before the first encrypted one (a solid
                        // stream needs it decoded); with encrypted names,
                        // reading them is not proof enough of the password.
                        if process(&h, ffi::RAR_TEST) != 0 {
                            break;
                        }
                    }
                    Err(ffi::ERAR_END_ARCHIVE) => return None,
                    Err(_) => break,
                }
            }
        }
        None
    }

    /// The first password (`preferred` first) that decodes the file at the
    /// `ordinal`th header of a non-solid archive, found on a fresh handle.
    fn member_password(
        path: &Path,
        ordinal: usize,
        passwords: &[String],
        preferred: Option<usize>,
        sink: &mut FrameWriter<io::Sink>,
    ) -> Option<usize> {
        let order = preferred
            .into_iter()
            .chain((0..passwords.len()).filter(|&i| Some(i) != preferred));
        let mut redir = vec![0 as ffi::WCHAR; 1024];
        for i in order {
            let pw = &passwords[i];
            let mut state = State::trying(&mut *sink, pw);
            let Ok((h, _)) = open(path, &mut state) else {
                continue;
            };
            let narrow = CString::new(pw.as_bytes()).unwrap_or_default();
            // SAFETY: a valid handle; UnRAR copies the password.
            unsafe { ffi::RARSetPassword(h.0, narrow.as_ptr()) };
            for n in 1..=ordinal {
                if header(&h, &mut redir).is_err() {
                    break;
                }
                if n < ordinal {
                    process(&h, ffi::RAR_SKIP);
                } else if process(&h, ffi::RAR_TEST) == 0 {
                    return Some(i);
                }
            }
        }
        None
    }

    /// Decodes the job's archive, writing a frame per member and one for the
    /// listing.
    pub(crate) fn decode<W: Write>(job: &Value, out: &mut FrameWriter<W>) -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = match lay_out(job, dir.path()) {
            Ok(p) => p,
            Err(e) => {
                return out
                    .listing(&json!({"open_error": format!("cannot lay the volumes out: {e}")}));
            }
        };
        let max_item = job["max_item_bytes"].as_u64().unwrap_or(u64::MAX);
        let passwords: Vec<String> = job["passwords"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut quiet = FrameWriter::new(io::sink());
        let chosen = if passwords.is_empty() {
            None
        } else {
            choose_password(&path, &passwords, &mut quiet)
        };
        let mut state = State::new(out, chosen.map(|i| passwords[i].as_str()));
        let (h, flags) = match open(&path, &mut state) {
            Ok(x) => x,
            Err(code) => {
                let why = match code {
                    ffi::ERAR_MISSING_PASSWORD | ffi::ERAR_BAD_PASSWORD => {
                        "its file names are encrypted: a password is needed to list it".to_string()
                    }
                    c => code_reason(c).to_string(),
                };
                return state.out.listing(&json!({"open_error": why}));
            }
        };
        let (mut index, mut dirs) = (0u64, 0u64);
        let mut links = Vec::new();
        let mut header_error = None;
        let mut redir = vec![0 as ffi::WCHAR; 2048];
        let mut used: Vec<usize> = chosen.into_iter().collect();
        let mut ordinal = 0usize;
        loop {
            let hd = match header(&h, &mut redir) {
                Ok(hd) => {
                    ordinal += 1;
                    hd
                }
                Err(ffi::ERAR_END_ARCHIVE) => break,
                Err(code) => {
                    header_error = Some(match (code, &state.missing_volume) {
                        (_, Some(asked)) => missing_reason(asked, job),
                        (ffi::ERAR_MISSING_PASSWORD | ffi::ERAR_BAD_PASSWORD, _) => {
                            "its file names are encrypted: a password is needed to list it".into()
                        }
                        (ffi::ERAR_BAD_DATA, _) => "a file header is damaged".into(),
                        (c, _) => format!("reading a header: {}", code_reason(c)),
                    });
                    break;
                }
            };
            let file_name_w = hd.file_name_w;
            let name = wide(&file_name_w);
            if hd.flags & ffi::RHDF_DIRECTORY != 0 {
                dirs += 1;
                process(&h, ffi::RAR_SKIP);
                continue;
            }
            let unix_link = hd.host_os == 3 && hd.file_attr & 0o170000 == 0o120000;
            if hd.redir_type != 0 || unix_link {
                let mut target = Some(wide(&redir)).filter(|t| !t.is_empty());
                if target.is_none() && hd.flags & ffi::RHDF_ENCRYPTED == 0 {
                    // RAR 4 stores a Unix symlink's target as its data.
                    state.capture = Some(Vec::new());
                    process(&h, ffi::RAR_TEST);
                    let data = state.capture.take().unwrap_or_default();
                    target =
                        Some(String::from_utf8_lossy(&data).into_owned()).filter(|t| !t.is_empty());
                } else {
                    process(&h, ffi::RAR_SKIP);
                }
                // UnRAR's FSREDIR_* values.
                let kind = match hd.redir_type {
                    2 => "symbolic link (Windows)",
                    3 => "junction",
                    4 => "hard link",
                    5 => "file copy",
                    _ => "symbolic link",
                };
                links.push(json!({"name": name, "type": kind, "target": target}));
                continue;
            }
            index += 1;
            let size = u64::from(hd.unp_size) | u64::from(hd.unp_size_high) << 32;
            let packed = u64::from(hd.pack_size) | u64::from(hd.pack_size_high) << 32;
            let mtime = (u64::from(hd.mtime_high) << 32 | u64::from(hd.mtime_low)) / 10_000_000;
            let encrypted = hd.flags & ffi::RHDF_ENCRYPTED != 0;
            let attributes = hd.file_attr;
            let extra = json!({
                "mtime": mtime.checked_sub(11_644_473_600),
                "host_os": match hd.host_os { 0 => "msdos", 1 => "os2", 2 => "windows", 3 => "unix", 4 => "macos", 5 => "beos", _ => "other" },
                "attributes": attributes,
                "checksum": match hd.hash_type { ffi::RAR_HASH_CRC32 => "crc32", ffi::RAR_HASH_BLAKE2 => "blake2sp", _ => "none" },
                "solid": hd.flags & ffi::RHDF_SOLID != 0,
                "encrypted": encrypted,
            });
            let mut member = json!({
                "name": name, "index": index - 1, "size": size, "packed": packed, "extra": extra,
            });
            if hd.flags & ffi::RHDF_SPLITBEFORE != 0 {
                let first = job["volumes"][0]["number"].as_u64().unwrap_or(1);
                let total = job["total"].as_u64().unwrap_or(0);
                member["unreadable"] = json!(if alone(job) || first < 2 {
                    "starts in an earlier volume that is not here".to_string()
                } else {
                    format!(
                        "starts in volume {} of {total}, which is missing",
                        first - 1
                    )
                });
                state.out.member(&member)?;
                process(&h, ffi::RAR_SKIP);
                continue;
            }
            let one_password = flags & (ffi::ROADF_SOLID | ffi::ROADF_ENCHEADERS) != 0;
            if encrypted && !passwords.is_empty() && !one_password {
                // Members of one archive may have different passwords: find
                // this one's (a solid archive has one stream, one password,
                // and encrypted names one password for the headers).
                let preferred = used.last().copied();
                let mut quiet = FrameWriter::new(io::sink());
                match member_password(&path, ordinal, &passwords, preferred, &mut quiet) {
                    Some(i) => {
                        let narrow = CString::new(passwords[i].as_bytes()).unwrap_or_default();
                        // SAFETY: a valid handle; UnRAR copies the password.
                        unsafe { ffi::RARSetPassword(h.0, narrow.as_ptr()) };
                        state.password =
                            Some(to_wide(&passwords[i])[..passwords[i].chars().count()].to_vec());
                        if !used.contains(&i) {
                            used.push(i);
                        }
                    }
                    None => state.password = None,
                }
            }
            if encrypted && state.password.is_none() {
                member["unreadable"] = json!(if passwords.is_empty() {
                    "encrypted member: a password is needed to read it"
                } else {
                    "encrypted member: none of the passwords given opens it"
                });
                state.out.member(&member)?;
                process(&h, ffi::RAR_SKIP);
                continue;
            }
            if size > max_item {
                member["too_large"] = json!(size);
                state.out.member(&member)?;
                process(&h, ffi::RAR_SKIP);
                continue;
            }
            state.out.member(&member)?;
            state.written = 0;
            state.limit = size;
            state.abort = None;
            state.missing_volume = None;
            let code = process(&h, ffi::RAR_TEST);
            if state.broken {
                return Err(io::Error::other("parent gone"));
            }
            let error = if let Some(why) = state.abort.take() {
                Some(why)
            } else if let Some(asked) = &state.missing_volume {
                Some(missing_reason(asked, job))
            } else if code != 0 {
                Some(code_reason(code).to_string())
            } else if state.written != size {
                Some(format!(
                    "decoded {} bytes of the {size} its header declares",
                    state.written
                ))
            } else {
                None
            };
            state.out.end(&match error {
                Some(e) => json!({"error": e}),
                None => json!({}),
            })?;
            if state.missing_volume.is_some() {
                // UnRAR cannot go past a missing volume.
                header_error = Some(missing_reason(
                    state.missing_volume.as_deref().unwrap_or(""),
                    job,
                ));
                break;
            }
        }
        // The password that opened the archive, and any other its members needed.
        let password = used.first().map(|&i| passwords[i].clone());
        let others: Vec<&String> = used.iter().skip(1).map(|&i| &passwords[i]).collect();
        state.out.listing(&json!({
            "format": "rar",
            "members": index,
            "directories": dirs,
            "links": links,
            "solid": flags & ffi::ROADF_SOLID != 0,
            "volume": flags & ffi::ROADF_VOLUME != 0,
            "encrypted_headers": flags & ffi::ROADF_ENCHEADERS != 0,
            "recovery_record": flags & ffi::ROADF_RECOVERY != 0,
            "locked": flags & ffi::ROADF_LOCK != 0,
            "password": password,
            "other_passwords": others,
            "header_error": header_error,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_names() {
        let v = |n| volume_name(n).map(|v| (v.set, v.number, v.joined));
        assert_eq!(v("a.part01.rar"), Some(("a.part#.rar".into(), 1, false)));
        assert_eq!(v("a.PART3.RAR"), Some(("a.part#.rar".into(), 3, false)));
        assert_eq!(v("a.rar"), Some(("a.r##".into(), 1, false)));
        assert_eq!(v("a.r00"), Some(("a.r##".into(), 2, false)));
        assert_eq!(v("a.r12"), Some(("a.r##".into(), 14, false)));
        assert_eq!(v("x_rar_aa"), Some(("x_rar_??".into(), 1, true)));
        assert_eq!(v("x_rar_ab"), Some(("x_rar_??".into(), 2, true)));
        assert_eq!(v("a.7z.001"), Some(("a.7z.###".into(), 1, true)));
        assert_eq!(v("a.txt"), None);
        assert_eq!(v("a.000"), None);
    }
}
