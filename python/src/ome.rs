//! `pymecompress_rs.ome.to_ome_zarr`'s native half: a PYME source written as an OME-Zarr image
//! by the `pymecompress-pyme` crate, with the GIL released.

use pyo3::prelude::*;

/// Adds this module's functions to `_native`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
