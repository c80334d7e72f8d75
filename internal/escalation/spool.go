package escalation

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"
)

// Spool stands in front of a remote store (Redis) so that no ticket is lost
// while it is away: a filing the store cannot take is written to a local
// bbolt file, fsynced, and acknowledged in chat; Flush files it in the store
// once it answers again. Filing is idempotent on the chat message id, so an
// entry flushed but not yet removed when the bot died is filed once, not
// twice. Every other transition goes straight to the store and fails while
// it is away: a moderator can retry, a viewer's question cannot be asked
// again.
type Spool struct {
	Store
	db   *bolt.DB
	path string
	log  *slog.Logger
	// flushed is told about each ticket that left the spool.
	flushed func(Ticket)
	now     func() time.Time

	down atomic.Bool
	mu   sync.Mutex // one flush at a time

	// fresh holds when each entry of this run was spooled, by key. Its
	// viewer's "the number follows" is on its way to chat when Create
	// returns; an entry is filed only FreshFor later, so the number can
	// never overtake that notice. Entries of an earlier run are not fresh.
	freshMu sync.Mutex
	fresh   map[string]time.Time
}

// FreshFor is how long a spooled entry waits before a flush may file it:
// long past the moment it takes the notice of its filing to reach the send
// queue, short beside the flush interval.
const FreshFor = 2 * time.Second

// Buckets of the spool file.
var (
	bucketSpool     = []byte("spool")     // sequence → NewTicket JSON, in filing order
	bucketSpoolMsg  = []byte("spool-msg") // channel 0x00 message id → sequence
	bucketSpoolDead = []byte("dead")      // entries the store refused for good, kept for a human
	// bucketSpoolSalvaged marks entries a recovery of a damaged spool found
	// outside the file's tree: they may have been filed before the damage.
	bucketSpoolSalvaged = []byte("salvaged") // sequence → empty
)

// SpoolOptions configure OpenSpool.
type SpoolOptions struct {
	Log *slog.Logger
	// Flushed, when set, is called with each ticket that left the spool,
	// so the viewer can be told its number.
	Flushed func(Ticket)
	// Now is the spool's clock, for FreshFor; nil is time.Now.
	Now func() time.Time
}

// Pinger is a store that can say whether it answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// OpenSpool opens (creating when missing) the spool file at path in front
// of store. The spool owns store and closes it.
//
// A damaged spool file does not stop the bot: it holds tickets viewers were
// promised, so every entry that can still be read is carried into a fresh
// spool, to be filed as usual, and the damaged file is kept beside it
// (path.damaged-<time>) for a human; a warning says what was lost.
func OpenSpool(path string, store Store, o SpoolOptions) (*Spool, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open spool: %w", err)
	}
	if err := recoverSpool(path, time.Now(), o.Log); err != nil {
		return nil, err
	}
	db, err := guardOpen("spool", path, &bolt.Options{Timeout: time.Second})
	if err != nil {
		if errors.Is(err, bolterr.ErrTimeout) {
			return nil, fmt.Errorf("open spool %s: %w", path, ErrInUse)
		}
		return nil, fmt.Errorf("open spool %s: %w", path, err)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	sp := &Spool{Store: store, db: db, path: path, log: o.Log, flushed: o.Flushed, now: o.Now, fresh: map[string]time.Time{}}
	err = sp.update(func(tx *bolt.Tx) error {
		for _, b := range spoolBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open spool %s: %w", path, err)
	}
	return sp, nil
}

// update and view run fn on the spool file under guard.
func (s *Spool) update(fn func(*bolt.Tx) error) error {
	return guard("spool", s.path, func() error { return s.db.Update(fn) })
}

func (s *Spool) view(fn func(*bolt.Tx) error) error {
	return guard("spool", s.path, func() error { return s.db.View(fn) })
}

// Close closes the spool file and the store.
func (s *Spool) Close() error {
	return errors.Join(s.db.Close(), s.Store.Close())
}

// Len is how many filings wait in the spool.
func (s *Spool) Len() int {
	n := 0
	_ = s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketSpool).Stats().KeyN
		return nil
	})
	return n
}

// waiting reports whether any filing waits in the spool: one cursor step,
// where Len counts the whole bucket.
func (s *Spool) waiting() bool {
	var ok bool
	_ = s.view(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketSpool).Cursor().First()
		ok = k != nil
		return nil
	})
	return ok
}

// Down reports whether the store was unreachable at the last attempt.
func (s *Spool) Down() bool { return s.down.Load() }

// Create files in the store, or in the spool when the store is away. A
// spooled ticket comes back with Spooled set and no number.
func (s *Spool) Create(ctx context.Context, n NewTicket) (Ticket, bool, error) {
	if err := n.Validate(); err != nil {
		return Ticket{}, false, err
	}
	if !s.down.Load() {
		// Older filings go first, so numbers follow the order viewers
		// asked in as far as possible; while a fresh one still waits
		// (see FreshFor), this one waits behind it.
		waiting := s.waiting()
		if waiting {
			_, _ = s.Flush(ctx)
			waiting = s.waiting()
		}
		if !s.down.Load() && !waiting {
			t, created, err := s.Store.Create(ctx, n)
			if !errors.Is(err, ErrUnavailable) {
				return t, created, err
			}
			s.markDown(err)
		}
	}
	if err := s.put(n); err != nil {
		return Ticket{}, false, fmt.Errorf("spool ticket in #%s: %w", n.Channel, err)
	}
	t := newTicket(n, 0)
	t.Spooled = true
	return t, true, nil
}

func (s *Spool) markDown(err error) {
	if !s.down.Swap(true) {
		s.log.Warn("ticket store unreachable; new tickets go to the local spool until it is back", "err", err)
	}
}

// put writes n to the spool unless its message is already there; bbolt
// fsyncs before put returns, so an acknowledged filing survives a crash.
func (s *Spool) put(n NewTicket) error {
	v, err := json.Marshal(n)
	if err != nil {
		return err
	}
	msgKey := []byte(n.Channel + "\x00" + n.MessageID)
	return s.update(func(tx *bolt.Tx) error {
		msgs := tx.Bucket(bucketSpoolMsg)
		if msgs.Get(msgKey) != nil {
			return nil
		}
		b := tx.Bucket(bucketSpool)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		k := numKey(int64(seq))
		if err := b.Put(k, v); err != nil {
			return err
		}
		if err := msgs.Put(msgKey, k); err != nil {
			return err
		}
		s.freshMu.Lock()
		s.fresh[string(k)] = s.now()
		s.freshMu.Unlock()
		return nil
	})
}

// ripe reports whether the entry at key may be filed now: it was not
// spooled in the last FreshFor.
func (s *Spool) ripe(key []byte) bool {
	s.freshMu.Lock()
	defer s.freshMu.Unlock()
	at, ok := s.fresh[string(key)]
	if !ok {
		return true
	}
	if s.now().Sub(at) < FreshFor {
		return false
	}
	delete(s.fresh, string(key))
	return true
}

type spooled struct {
	key      []byte
	n        NewTicket
	salvaged bool
}

func (s *Spool) entries() ([]spooled, error) {
	var out []spooled
	err := s.view(func(tx *bolt.Tx) error {
		salvaged := tx.Bucket(bucketSpoolSalvaged)
		return tx.Bucket(bucketSpool).ForEach(func(k, v []byte) error {
			var n NewTicket
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("spool entry %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, spooled{key: append([]byte(nil), k...), n: n, salvaged: salvaged.Get(k) != nil})
			return nil
		})
	})
	return out, err
}

// remove takes an entry out of the spool, into the dead bucket when the
// store refused it for good.
func (s *Spool) remove(e spooled, dead []byte) error {
	return s.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketSpool).Delete(e.key); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSpoolMsg).Delete([]byte(e.n.Channel + "\x00" + e.n.MessageID)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSpoolSalvaged).Delete(e.key); err != nil {
			return err
		}
		if dead != nil {
			return tx.Bucket(bucketSpoolDead).Put(e.key, dead)
		}
		return nil
	})
}

// Flush files every spooled entry in the store, oldest first, and returns how
// many left the spool. It stops at the first sign that the store is still
// away. With nothing spooled it checks whether the store answers again.
func (s *Spool) Flush(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, err := s.entries()
	if err != nil {
		return 0, fmt.Errorf("flush spool: %w", err)
	}
	if len(entries) == 0 {
		if s.down.Load() {
			if p, ok := s.Store.(Pinger); ok {
				if err := p.Ping(ctx); err != nil {
					return 0, err
				}
			}
			s.down.Store(false)
			s.log.Info("ticket store reachable again")
		}
		return 0, nil
	}
	done := 0
	for _, e := range entries {
		if !s.ripe(e.key) {
			// Entries are in filing order: the rest are fresher still.
			break
		}
		t, created, err := s.Store.Create(ctx, e.n)
		if errors.Is(err, ErrUnavailable) || ctx.Err() != nil {
			s.markDown(err)
			return done, fmt.Errorf("flush spool: %w", err)
		}
		var dead []byte
		if err != nil {
			s.log.Error("spooled ticket refused by the store; kept in the spool's dead bucket", "channel", e.n.Channel, "message", e.n.MessageID, "err", err)
			dead, _ = json.Marshal(e.n)
		}
		if rerr := s.remove(e, dead); rerr != nil {
			return done, fmt.Errorf("flush spool: %w", rerr)
		}
		done++
		// A salvaged entry the store already has was filed before the
		// spool was damaged, and its viewer told the number then.
		if err == nil && s.flushed != nil && (created || !e.salvaged) {
			s.flushed(t)
		}
	}
	if done < len(entries) {
		// Fresh entries wait for the next flush. The store took what it
		// was given, if anything; otherwise nothing was tried and what is
		// known of it stands.
		if done > 0 {
			s.down.Store(false)
		}
		return done, nil
	}
	if s.down.Swap(false) {
		s.log.Info("ticket store reachable again; spool flushed", "tickets", done)
	}
	return done, nil
}

// Run flushes every interval until ctx is done.
func (s *Spool) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if s.down.Load() || s.waiting() {
				_, _ = s.Flush(ctx)
			}
		}
	}
}
