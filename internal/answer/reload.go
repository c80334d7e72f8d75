package answer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// Reloader keeps a responder's index in step with its FAQ files: when a file
// changes it builds a new index and swaps it in; when the new files are
// invalid it keeps serving the last good index and logs why.
type Reloader struct {
	Files     []string
	Responder *Responder
	// Interval between checks of the files' size and modification time.
	// Polling, rather than file-system events, sees every way editors save
	// (rename over, truncate and write) and works on network mounts.
	Interval time.Duration
	Log      *slog.Logger
	// Library shares the new index with every channel that reads the same
	// files, so a reload builds it once for all; nil: built for this
	// responder alone.
	Library *Library

	last map[string]fileStamp
}

type fileStamp struct {
	size int64
	mod  time.Time
	ok   bool
}

// Run checks the files every Interval until ctx is done.
func (w *Reloader) Run(ctx context.Context) error {
	if w.Interval <= 0 {
		return nil
	}
	w.last = w.stamps()
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			now := w.stamps()
			if !w.changed(now) {
				continue
			}
			w.last = now
			_ = w.Reload()
		}
	}
}

func (w *Reloader) stamps() map[string]fileStamp { return stampFiles(w.Files) }

// stampFiles is each file's size and modification time, as far as they
// can be read.
func stampFiles(files []string) map[string]fileStamp {
	m := make(map[string]fileStamp, len(files))
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			m[f] = fileStamp{}
			continue
		}
		m[f] = fileStamp{size: fi.Size(), mod: fi.ModTime(), ok: true}
	}
	return m
}

func (w *Reloader) changed(now map[string]fileStamp) bool {
	for f, s := range now {
		if w.last[f] != s {
			return true
		}
	}
	return false
}

// Reload loads the files now. On success the new index serves at once; on
// failure the old one stays and the error, naming file, line and field, is
// logged and returned.
//
// Channels that share files through a Library reload together, and the
// log says so once: the reloader whose check built the index (or met the
// files' problem) logs it, naming the files; the others, handed the same
// index or error, log at debug level. A thousand channels on one FAQ make
// one line an edit, not a thousand.
func (w *Reloader) Reload() error {
	log := w.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ix, built, err := w.load()
	failed, reloaded := slog.LevelError, slog.LevelInfo
	if !built {
		failed, reloaded = slog.LevelDebug, slog.LevelDebug
	}
	if err != nil {
		log.Log(context.Background(), failed, "faq reload failed; keeping the last good faq", "files", w.Files, "err", err)
		return fmt.Errorf("reload faq: %w", err)
	}
	if built && ix.RemoteErr != nil {
		log.Warn("embedding model not used; the built-in score stands in", "err", ix.RemoteErr)
	}
	w.Responder.hold(ix)
	log.Log(context.Background(), reloaded, "faq reloaded", "entries", ix.Len(), "files", w.Files)
	return nil
}
