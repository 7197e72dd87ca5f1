//! The codecs and their configuration are shared across zarrs's threads.

use zarrs_pymecompress::{HuffmanCodec, HuffmanQuant16Codec, HuffmanQuant16CodecConfiguration};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn codecs_are_send_and_sync() {
    assert_send_sync::<HuffmanCodec>();
    assert_send_sync::<HuffmanQuant16Codec>();
    assert_send_sync::<HuffmanQuant16CodecConfiguration>();
}
