package replay

import (
	"context"
	"io"
	"os"
)

// OpenError is a named input that could not be opened: bad input, the
// caller's to report, not a failure of the replay.
type OpenError struct{ Err error }

func (e *OpenError) Error() string { return "replay: " + e.Err.Error() }
func (e *OpenError) Unwrap() error { return e.Err }

// ReplayFiles replays each named input in turn ("-" is stdin) until they
// are done or ctx ends, then writes out what is buffered and returns the
// counts. A file that cannot be opened stops it with an *OpenError.
func (r *Replayer) ReplayFiles(ctx context.Context, names []string, stdin io.Reader) (Summary, error) {
	for _, name := range names {
		if err := r.replayFile(ctx, name, stdin); err != nil {
			sum, _ := r.Finish()
			return sum, err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return r.Finish()
}

func (r *Replayer) replayFile(ctx context.Context, name string, stdin io.Reader) error {
	if name == "-" {
		return r.Replay(ctx, name, stdin, 0)
	}
	file, err := os.Open(name)
	if err != nil {
		return &OpenError{Err: err}
	}
	defer file.Close()
	var size int64
	if fi, err := file.Stat(); err == nil {
		size = fi.Size()
	}
	return r.Replay(ctx, name, file, size)
}
