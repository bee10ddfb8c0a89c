//! Reading a record file from its end, a line at a time: a view of the newest records reads
//! only the blocks that hold them, whatever the file's size. Memory stays within one block
//! and one line (a longer line is given as cut, never held whole).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// Bytes read from the file at a time.
const BLOCK: usize = 64 * 1024;
/// The longest line given whole; a longer one is given as its last bytes, marked cut.
pub const LINE_CAP: usize = 64 * 1024;
/// A line longer than this is no record: the file is refused rather than scanned on (a
/// huge file of zeros holds no line to show).
pub const SCAN_CAP: u64 = 16 * 1024 * 1024;

/// One line, without its newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevLine {
    /// The line, or its last `LINE_CAP` bytes when it is longer.
    pub bytes: Vec<u8>,
    /// The line was longer than `LINE_CAP`: `bytes` is its end only.
    pub cut: bool,
}

/// The non-empty lines of a regular file, newest (last) first.
#[derive(Debug)]
pub struct ReverseLines {
    file: File,
    /// Bytes before `pos` are not read yet.
    pos: u64,
    /// The end of the line being gathered: bytes after the last newline seen.
    partial: Vec<u8>,
    cut: bool,
    /// Bytes of the line being gathered, kept or not.
    gathered: u64,
    /// Lines found in the last block, oldest first (taken from the end).
    ready: Vec<RevLine>,
}

/// The lines of `path` newest first; `None` when there is no such file. Refuses what is
/// not a regular file, like every other read.
pub fn reverse_lines(path: &Path) -> io::Result<Option<ReverseLines>> {
    let Some((file, len)) = super::bounded::open_optional(path)? else {
        return Ok(None);
    };
    Ok(Some(ReverseLines {
        file,
        pos: len,
        partial: Vec::new(),
        cut: false,
        gathered: 0,
        ready: Vec::new(),
    }))
}

impl ReverseLines {
    fn push_line(&mut self, mut bytes: Vec<u8>, cut: bool) {
        if !bytes.trim_ascii().is_empty() || cut {
            if bytes.len() > LINE_CAP {
                bytes.drain(..bytes.len() - LINE_CAP);
            }
            self.ready.push(RevLine { bytes, cut });
        }
    }

    /// Reads the block before `pos` and splits it into the lines it completes.
    fn read_block(&mut self) -> io::Result<()> {
        let size = BLOCK.min(usize::try_from(self.pos).unwrap_or(BLOCK));
        self.pos -= size as u64;
        let mut block = vec![0u8; size];
        self.file.seek(SeekFrom::Start(self.pos))?;
        self.file.read_exact(&mut block)?;
        // Lines of this block, last first; the first piece continues into the block before.
        let mut pieces = block.rsplit(|b| *b == b'\n');
        let tail = pieces.next().unwrap_or(&[]);
        let mut found: Vec<(Vec<u8>, bool)> = Vec::new();
        let rest: Vec<&[u8]> = pieces.collect();
        self.gather(tail);
        if let Some((first, middle)) = rest.split_last() {
            let partial = std::mem::take(&mut self.partial);
            found.push((partial, std::mem::take(&mut self.cut)));
            found.extend(middle.iter().map(|l| (l.to_vec(), l.len() > LINE_CAP)));
            self.gathered = 0;
            self.gather(first);
        } else if self.gathered > SCAN_CAP {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                crate::say!("fsutil.line_too_long", cap = SCAN_CAP),
            ));
        }
        // `ready` is taken from its end: the oldest line goes first.
        for (bytes, cut) in found.into_iter().rev() {
            self.push_line(bytes, cut);
        }
        Ok(())
    }

    /// Puts `piece` before the line being gathered, keeping at most `LINE_CAP` bytes of it.
    fn gather(&mut self, piece: &[u8]) {
        self.gathered += piece.len() as u64;
        if self.partial.len() + piece.len() > LINE_CAP {
            self.cut = true;
            let room = LINE_CAP.saturating_sub(self.partial.len());
            let keep = &piece[piece.len() - room.min(piece.len())..];
            let mut joined = keep.to_vec();
            joined.extend_from_slice(&self.partial);
            self.partial = joined;
        } else {
            let mut joined = piece.to_vec();
            joined.extend_from_slice(&self.partial);
            self.partial = joined;
        }
    }
}

impl Iterator for ReverseLines {
    type Item = io::Result<RevLine>;

    fn next(&mut self) -> Option<io::Result<RevLine>> {
        loop {
            if let Some(line) = self.ready.pop() {
                return Some(Ok(line));
            }
            if self.pos == 0 {
                // The first line of the file has no newline before it.
                let partial = std::mem::take(&mut self.partial);
                let cut = std::mem::take(&mut self.cut);
                self.push_line(partial, cut);
                return self.ready.pop().map(Ok);
            }
            if let Err(e) = self.read_block() {
                self.pos = 0;
                self.partial.clear();
                return Some(Err(e));
            }
        }
    }
}

/// Calls `visit` with each line of `reader` in order (without its newline), a line longer
/// than `LINE_CAP` cut to its first bytes; refuses a line longer than `SCAN_CAP`. Returns
/// the bytes read.
pub fn forward_lines(reader: impl Read, mut visit: impl FnMut(&[u8], bool)) -> io::Result<u64> {
    use std::io::BufRead;
    let mut reader = io::BufReader::with_capacity(BLOCK, reader);
    let (mut line, mut long, mut read) = (Vec::new(), 0u64, 0u64);
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            if !line.is_empty() || long > 0 {
                visit(&line, long > LINE_CAP as u64);
            }
            return Ok(read);
        }
        let (piece, ends) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        let room = LINE_CAP.saturating_sub(line.len());
        line.extend_from_slice(&piece[..piece.len().min(room)]);
        long += piece.len() as u64;
        let used = ends.unwrap_or(buf.len());
        reader.consume(used);
        read += used as u64;
        if ends.is_some() {
            visit(&line, long > LINE_CAP as u64);
            line.clear();
            long = 0;
        } else if long > SCAN_CAP {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                crate::say!("fsutil.line_too_long", cap = SCAN_CAP),
            ));
        }
    }
}
