package answer

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"sync"
)

// An Index may have several holders: every channel whose responder serves
// it, while a Library shares it. Each holder closes it once; the last
// Close releases bleve's index.

// retain adds a holder, unless the last one has already closed the index.
func (ix *Index) retain() bool {
	for {
		n := ix.holders.Load()
		if n < 0 {
			return false
		}
		if ix.holders.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Close lets go of the caller's hold on the index; the last holder's
// Close releases the bleve index.
func (ix *Index) Close() error {
	if ix.holders.Add(-1) >= 0 {
		return nil
	}
	if ix.lastClose != nil {
		ix.lastClose()
	}
	return errors.Join(ix.searcher.close(), ix.bi.Close())
}

// hold makes ix, which the caller holds on the responder's behalf, the
// index it serves, and lets go of the responder's hold on the old one.
// Unlike Swap it does so even when they are the same index: a Library hands
// out one more hold on the index it already serves when nothing changed.
func (r *Responder) hold(ix *Index) {
	r.mu.Lock()
	old := r.ix
	r.ix = ix
	r.mu.Unlock()
	if old != nil {
		if err := old.Close(); err != nil {
			r.log.Warn("close old faq index", "err", err)
		}
	}
}

// Library keeps one index per distinct list of FAQ files, shared by every
// channel that reads the same files: a thousand channels on one FAQ hold
// one index, not a thousand copies. It holds no index itself: an index
// lives while a channel serves it, and the Library builds it again when
// the files change or after the last channel has closed it.
type Library struct {
	emb  Embedder
	mu   sync.Mutex
	sets map[string]*shelf
}

// shelf is one list of files' index, as the files were when it was built.
type shelf struct {
	mu     sync.Mutex // held while building, so callers of one list build it once
	stamps map[string]fileStamp
	ix     *Index // nil after a failed build; may be closed by its last holder
	err    error
}

// NewLibrary returns an empty library whose indexes take sentence vectors
// from emb (nil: the built-in score only; see BuildWith).
func NewLibrary(emb Embedder) *Library { return &Library{emb: emb, sets: map[string]*shelf{}} }

// Embedder is the model the library's indexes were built with; give it to
// the responders that serve them.
func (l *Library) Embedder() Embedder { return l.emb }

// Load returns the index of files (in that order, as LoadFAQ reads them)
// as they are now, building it only if no caller has since the files last
// changed. The caller holds the index and must Close it (a Responder does).
// A FAQ problem is returned to every caller, until the files change.
func (l *Library) Load(files ...string) (*Index, error) {
	ix, _, err := l.load(files)
	return ix, err
}

// load is Load, and says whether this call built the index (or met the
// files' problem first) rather than being handed what another call had.
func (l *Library) load(files []string) (*Index, bool, error) {
	s := l.shelf(files)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := stampFiles(files)
	if s.stamps != nil && maps.Equal(s.stamps, now) {
		if s.err != nil {
			return nil, false, s.err
		}
		if s.ix != nil && s.ix.retain() {
			return s.ix, false, nil
		}
	}
	ix, err := loadIndex(files, l.emb)
	s.stamps, s.ix, s.err = now, ix, err
	if ix != nil {
		ix.lastClose = func() { s.forget(ix) }
	}
	return ix, true, err
}

// shelf is the shelf of files, in that order, made on first use.
func (l *Library) shelf(files []string) *shelf {
	key := make([]string, len(files))
	for i, f := range files {
		if abs, err := filepath.Abs(f); err == nil {
			f = abs
		}
		key[i] = f
	}
	k := fmt.Sprintf("%q", key)
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.sets[k]
	if s == nil {
		s = &shelf{}
		l.sets[k] = s
	}
	return s
}

// adopt files ix, which the caller built from files as they are now and
// hands to a channel, as their index: the next Load of files gets it
// instead of building it again.
func (l *Library) adopt(files []string, ix *Index) {
	s := l.shelf(files)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stamps, s.ix, s.err = stampFiles(files), ix, nil
	ix.lastClose = func() { s.forget(ix) }
}

// forget lets the shelf drop ix once no channel serves it, so a FAQ no
// channel reads any more (a channel's, after it learned its first answer)
// is not kept in memory.
func (s *shelf) forget(ix *Index) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ix == ix {
		s.ix, s.stamps = nil, nil
	}
}

// loadIndex reads files and indexes their entries with emb.
func loadIndex(files []string, emb Embedder) (*Index, error) {
	entries, err := LoadFAQ(files...)
	if err != nil {
		return nil, err
	}
	return BuildWith(entries, emb)
}

// load builds the index of the reloader's files, or gets it from its
// library, and says whether it was built here.
func (w *Reloader) load() (*Index, bool, error) {
	if w.Library != nil {
		return w.Library.load(w.Files)
	}
	ix, err := loadIndex(w.Files, w.Responder.settings.Embedder)
	return ix, true, err
}
