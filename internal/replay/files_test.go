package replay_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/replay"
)

// TestReplayFiles: files and standard input in turn, and a file that
// cannot be opened is an OpenError after what came before it is written.
func TestReplayFiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "chat.txt")
	if err := os.WriteFile(file, []byte("ana: when do you stream?\nbob: hi\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rp := replay.NewReplayer(&answerer{}, "mira", replay.FormatAuto, &out)
	sum, err := rp.ReplayFiles(context.Background(), []string{file, "-"}, strings.NewReader("cy: is it live?\n"))
	if err != nil || sum.Messages != 3 || strings.Count(out.String(), "\n") != 3 {
		t.Fatalf("ReplayFiles = %+v, %v; want 3 messages\n%s", sum, err, out.String())
	}

	out.Reset()
	rp = replay.NewReplayer(&answerer{}, "mira", replay.FormatAuto, &out)
	_, err = rp.ReplayFiles(context.Background(), []string{file, filepath.Join(dir, "nope.txt")}, nil)
	if oe, ok := errors.AsType[*replay.OpenError](err); !ok || !errors.Is(oe, os.ErrNotExist) {
		t.Fatalf("missing file: %v; want an OpenError wrapping not-exist", err)
	}
	if strings.Count(out.String(), "\n") != 2 {
		t.Errorf("the file before the missing one was not written out:\n%s", out.String())
	}
}
