// Package atomicfile replaces a file's contents all at once: a reader, or
// the bot after a crash or power cut, sees the old file or the new one,
// never half of either.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write replaces path with data. The data goes to a temporary file in the
// same directory, which is synced and renamed over path; the directory is
// synced too, because without that the rename itself can be lost in a crash
// even though the new contents were on disk. Missing parent directories are
// created. perm applies to a file that is created (the umask still applies).
func Write(path string, data []byte, perm os.FileMode) error {
	tmp, err := CreateTemp(path)
	if err != nil {
		return err
	}
	// Once renamed, the temporary name is gone and this does nothing.
	defer os.Remove(tmp.Name())
	if err := Fill(tmp, data, perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return Commit(tmp.Name(), path)
}

// Fill writes data into the open temporary file f, sets its mode, syncs it
// and closes it. Callers that must check the new file before it replaces
// the old one (the learned FAQ loads it first) use CreateTemp, Fill, their
// check, then Commit.
func Fill(f *os.File, data []byte, perm os.FileMode) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// CreateTemp opens a new temporary file beside path, for Fill and Commit.
func CreateTemp(path string) (*os.File, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return f, nil
}

// Commit renames the filled temporary file tmp over path and syncs the
// directory, so the rename survives a crash.
func Commit(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("write %s: sync directory: %w", path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("write %s: sync directory: %w", path, err)
	}
	return nil
}
