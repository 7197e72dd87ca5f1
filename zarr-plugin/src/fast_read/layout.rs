//! Where each chunk's part of a region lies in a C-order output buffer, as disjoint `&mut`
//! runs (no unsafe: the buffer is cut once, front to back, with `split_at_mut`).

use zarrs::array::ArraySubset;

/// One chunk's share of the output: its runs, in C order of the chunk's overlap with the
/// region. Each run is one or more whole rows (last-axis runs) of the overlap that happen to be
/// adjacent in the output; a chunk whose overlap is contiguous there has exactly one run.
pub(crate) struct Share<'a> {
    pub runs: Vec<&'a mut [u8]>,
}

/// Per axis, the region-relative intervals `[start, end)` of the chunk grid cells it crosses,
/// in grid order.
pub(crate) type AxisCells = Vec<Vec<(u64, u64)>>;

/// Cuts `out` (the region `shape`, C order, `elem` bytes per element) into one [`Share`] per
/// chunk, the chunks numbered in C order over the grid box `cells` describes.
///
/// `out.len()` must be the region's byte size and the cells must tile each axis from 0 to the
/// region's extent (the caller checks both).
pub(crate) fn cut<'a>(
    out: &'a mut [u8],
    shape: &[u64],
    cells: &AxisCells,
    elem: usize,
) -> Vec<Share<'a>> {
    let n_dims = shape.len();
    let n_chunks: usize = cells.iter().map(Vec::len).product();
    if out.is_empty() || n_dims == 0 {
        return (0..n_chunks).map(|_| Share { runs: Vec::new() }).collect();
    }
    let last = n_dims - 1;
    // Strides of the chunk numbering.
    let mut strides = vec![1usize; n_dims];
    for d in (0..last).rev() {
        strides[d] = strides[d + 1] * cells[d + 1].len();
    }
    // A chunk has at most one run per row of its overlap (its cells' extents over the outer
    // axes): reserved once, since growing the lists run by run cost more than the cutting.
    let mut shares: Vec<Share<'a>> = Vec::with_capacity(n_chunks);
    for id in 0..n_chunks {
        let rows = (0..last).try_fold(1usize, |rows, d| {
            let (a, b) = cells[d][id / strides[d] % cells[d].len()];
            rows.checked_mul(usize::try_from(b - a).ok()?)
        });
        let runs = Vec::with_capacity(rows.unwrap_or(0).min(out.len()));
        shares.push(Share { runs });
    }
    let outer = &shape[..last];
    // Odometer over the outer axes: coordinate and cell index per axis.
    let mut coord = vec![0u64; last];
    let mut cell = vec![0usize; last];
    let mut rest: &'a mut [u8] = out;
    let mut pending: Option<(usize, usize)> = None; // (chunk, bytes)
    loop {
        let base: usize = cell.iter().zip(&strides).map(|(c, s)| c * s).sum();
        for (j, &(a, b)) in cells[last].iter().enumerate() {
            let id = base + j * strides[last];
            let len = usize::try_from(b - a).unwrap_or(usize::MAX) * elem;
            pending = match pending {
                Some((p, l)) if p == id => Some((p, l + len)),
                Some((p, l)) => {
                    let (head, tail) = std::mem::take(&mut rest).split_at_mut(l);
                    shares[p].runs.push(head);
                    rest = tail;
                    Some((id, len))
                }
                None => Some((id, len)),
            };
        }
        // Next row.
        let mut d = last;
        loop {
            if d == 0 {
                if let Some((p, l)) = pending {
                    let (head, _) = rest.split_at_mut(l);
                    shares[p].runs.push(head);
                }
                return shares;
            }
            d -= 1;
            coord[d] += 1;
            if coord[d] < outer[d] {
                if coord[d] >= cells[d][cell[d]].1 {
                    cell[d] += 1;
                }
                break;
            }
            coord[d] = 0;
            cell[d] = 0;
        }
    }
}

/// One slab of the region: the rows of one cell along axis 0, which lie together in the C-order
/// output, with the slab's shape and cells (axis 0 one cell, from 0) for [`cut`].
pub(crate) struct Slab<'a> {
    pub out: &'a mut [u8],
    pub shape: Vec<u64>,
    pub cells: AxisCells,
}

/// Splits `out` (the region `shape`, C order, `elem` bytes per element) into one [`Slab`] per
/// cell of axis 0, so that each slab can be [`cut`] on the thread that reads it: the chunks of
/// slab `i` are the `i`-th run of `cells[1..]`'s chunk count in the C-order chunk list.
///
/// `None` if the cells do not tile `out` (the caller checks they tile the region).
pub(crate) fn slabs<'a>(
    out: &'a mut [u8],
    shape: &[u64],
    cells: &AxisCells,
    elem: usize,
) -> Option<Vec<Slab<'a>>> {
    let (axis0, inner_cells) = cells.split_first()?;
    let inner = shape.get(1..)?;
    let row_bytes = inner
        .iter()
        .try_fold(elem, |n, &e| n.checked_mul(usize::try_from(e).ok()?))?;
    let mut rest = out;
    let mut slabs = Vec::with_capacity(axis0.len());
    for &(a, b) in axis0 {
        let bytes = usize::try_from(b - a).ok()?.checked_mul(row_bytes)?;
        if bytes > rest.len() {
            return None;
        }
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(bytes);
        rest = tail;
        let mut slab_shape = vec![b - a];
        slab_shape.extend_from_slice(inner);
        let mut slab_cells = vec![vec![(0, b - a)]];
        slab_cells.extend_from_slice(inner_cells);
        slabs.push(Slab {
            out: head,
            shape: slab_shape,
            cells: slab_cells,
        });
    }
    rest.is_empty().then_some(slabs)
}

/// Writes byte slices one after another into a list of runs.
pub(crate) struct RunWriter<'s, 'a> {
    runs: &'s mut [&'a mut [u8]],
    run: usize,
    at: usize,
}

impl<'s, 'a> RunWriter<'s, 'a> {
    pub(crate) fn new(runs: &'s mut [&'a mut [u8]]) -> Self {
        Self {
            runs,
            run: 0,
            at: 0,
        }
    }

    /// Copies `bytes` at the cursor; `false` if the runs are too short.
    pub(crate) fn write(&mut self, mut bytes: &[u8]) -> bool {
        while !bytes.is_empty() {
            let Some(run) = self.runs.get_mut(self.run) else {
                return false;
            };
            let room = run.len() - self.at;
            let n = room.min(bytes.len());
            run[self.at..self.at + n].copy_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            self.at += n;
            if self.at == run.len() {
                self.run += 1;
                self.at = 0;
            }
        }
        true
    }

    /// `true` when every run is full.
    pub(crate) fn done(&self) -> bool {
        self.runs[self.run..].iter().all(|r| r.is_empty()) && self.at == 0
    }
}

/// Copies the rows of `overlap` (chunk-relative) out of a decoded chunk of shape `chunk_shape`
/// into `runs`, in C order. `false` on any size mismatch.
pub(crate) fn copy_overlap(
    decoded: &[u8],
    chunk_shape: &[u64],
    overlap: &ArraySubset,
    elem: usize,
    runs: &mut [&mut [u8]],
) -> bool {
    let n_dims = chunk_shape.len();
    let (start, shape) = (overlap.start(), overlap.shape());
    if shape.contains(&0) {
        return true;
    }
    let last = n_dims - 1;
    let row_bytes = usize::try_from(shape[last]).unwrap_or(usize::MAX) * elem;
    let mut strides = vec![1u64; n_dims];
    for d in (0..last).rev() {
        strides[d] = strides[d + 1] * chunk_shape[d + 1];
    }
    let mut writer = RunWriter::new(runs);
    let mut idx = vec![0u64; last];
    loop {
        let element: u64 = (0..n_dims)
            .map(|d| (start[d] + idx.get(d).copied().unwrap_or(0)) * strides[d])
            .sum();
        let Some(from) = usize::try_from(element).ok().map(|e| e * elem) else {
            return false;
        };
        let Some(row) = decoded.get(from..from + row_bytes) else {
            return false;
        };
        if !writer.write(row) {
            return false;
        }
        let mut d = last;
        loop {
            if d == 0 {
                return writer.done();
            }
            d -= 1;
            idx[d] += 1;
            if idx[d] < shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}

/// Fills every run with the element `fill` repeated.
pub(crate) fn fill(runs: &mut [&mut [u8]], fill: &[u8]) {
    for run in runs {
        if fill.iter().all(|&b| b == 0) {
            run.fill(0);
        } else {
            run.chunks_exact_mut(fill.len())
                .for_each(|e| e.copy_from_slice(fill));
        }
    }
}
