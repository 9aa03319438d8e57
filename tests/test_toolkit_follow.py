"""The toolkit's FileFollower on real files: appends, partial lines, rotation both ways,
resuming from a checkpoint, a file that is not there."""

from __future__ import annotations

import os
import shutil

import pytest

from panneau.hub.toolkit import FileFollower


def write(path, text: str, mode: str = "a") -> None:
    with open(path, mode, encoding="utf-8") as f:
        f.write(text)


def texts(lines: list[tuple[int, str]]) -> list[str]:
    return [text for _, text in lines]


def test_complete_lines_with_their_end_offsets_a_partial_one_once_complete(tmp_path):
    path = tmp_path / "app.log"
    write(path, "one\ntw")
    follower = FileFollower(str(path))
    assert follower.read() == [(4, "one\n")]
    write(path, "o\n")
    assert follower.read() == [(8, "two\n")]
    assert follower.read() == []
    assert follower.checkpoint() == {"inode": path.stat().st_ino, "offset": 8}
    follower.close()


def test_renamed_away_the_old_file_is_read_to_its_end_then_the_new_one(tmp_path):
    path = tmp_path / "app.log"
    write(path, "one\n")
    follower = FileFollower(str(path))
    assert texts(follower.read()) == ["one\n"]
    write(path, "two\n")  # written before the rename, not read yet
    path.rename(tmp_path / "app.log.1")
    write(tmp_path / "app.log.1", "three\n")  # the writer had not reopened yet
    assert texts(follower.read()) == ["two\n", "three\n"]  # no new file yet
    write(path, "four\n")
    assert texts(follower.read()) == ["four\n"]
    assert follower.checkpoint() == {"inode": path.stat().st_ino, "offset": 5}
    follower.close()


def test_emptied_in_place_the_file_is_read_from_its_start(tmp_path):
    path = tmp_path / "app.log"
    write(path, "a long first line\n")
    follower = FileFollower(str(path))
    assert texts(follower.read()) == ["a long first line\n"]
    shutil.copy(path, tmp_path / "app.log.1")
    os.truncate(path, 0)
    assert follower.read() == []
    write(path, "after\n")
    assert follower.read() == [(6, "after\n")]
    follower.close()


def test_a_checkpoint_resumes_the_same_file_and_reads_another_from_its_start(tmp_path):
    path = tmp_path / "app.log"
    write(path, "one\ntwo\n")
    first = FileFollower(str(path))
    first.read()
    checkpoint = first.checkpoint()
    first.close()
    write(path, "three\n")  # while the source was stopped
    again = FileFollower(str(path), checkpoint)
    assert texts(again.read()) == ["three\n"]
    again.close()
    path.rename(tmp_path / "app.log.1")
    write(path, "new one\n")
    other = FileFollower(str(path), checkpoint)
    assert texts(other.read()) == ["new one\n"]
    other.close()


def test_no_file_is_an_os_error_until_there_is_one(tmp_path):
    path = tmp_path / "later.log"
    follower = FileFollower(str(path))
    with pytest.raises(FileNotFoundError):
        follower.read()
    write(path, "here\n")
    assert texts(follower.read()) == ["here\n"]
    follower.close()
