package escalation

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"
)

// The embedded store is bbolt rather than SQLite: it is pure Go with no C
// toolchain and a few thousand lines we can read; a ticket is one value
// updated under one key, which a B+tree of buckets stores without a query
// language in between; every write transaction is fsynced before Update
// returns, so a ticket acknowledged in chat survives a crash or SIGKILL; and
// bbolt's single writer matches a bot that handles each channel's messages
// in order. What SQLite would add — ad-hoc SQL over old tickets — is what
// `bot tickets export` gives as CSV instead.

// Bucket layout: tickets/<channel>/{t, msg, open, owed}.
var (
	bucketTickets = []byte("tickets")
	bucketTicket  = []byte("t")    // number (big endian) → ticket JSON
	bucketMsg     = []byte("msg")  // message id → number
	bucketOpen    = []byte("open") // number → empty, for open tickets
	bucketOwed    = []byte("owed") // user 0x00 number → empty, answers still owed
)

// BoltOptions tune the embedded store.
type BoltOptions struct {
	// ReadOnly opens the file for reading, alongside nothing that writes
	// (bbolt locks the file).
	ReadOnly bool
	// NoSync skips fsync: only for throw-away stores such as replay's.
	NoSync bool
	// Timeout is how long to wait for another process's lock on the file;
	// zero means one second.
	Timeout time.Duration
	// Lazy leaves a missing file uncreated until the first ticket, so a
	// bot that never escalates (a try-out in the console, a test) leaves no
	// file behind. Until then reads find an empty queue, and events wait in
	// memory (at most MaxHeldEvents) to be written first when the file is
	// created. An existing file is opened at once all the same, so a second
	// bot on the same file fails at start rather than at its first ticket.
	Lazy bool
	// Advice, when set, ends the error that reports the file damaged: what
	// to do about it, in the words of the program that opened it.
	Advice string
}

// MaxHeldEvents bounds the events a lazy store keeps in memory while it has
// no file; later ones are dropped.
const MaxHeldEvents = 100_000

// BoltStore is the embedded Store: one bbolt file.
type BoltStore struct {
	path string
	opts BoltOptions
	db   atomic.Pointer[bolt.DB]

	// mu guards creating the file and the events held until then.
	mu   sync.Mutex
	held []Event
}

var _ Store = (*BoltStore)(nil)

// errNoFile is what a lazy store without its file answers a lookup of one
// ticket: there is no such ticket.
var errNoFile = fmt.Errorf("%w (the ticket store has no file yet)", ErrNotFound)

// OpenBolt opens (creating when missing, unless o.Lazy) the store at path.
func OpenBolt(path string, o BoltOptions) (*BoltStore, error) {
	if o.Timeout == 0 {
		o.Timeout = time.Second
	}
	s := &BoltStore{path: path, opts: o}
	if o.Lazy && !o.ReadOnly {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return s, nil
		}
	}
	db, err := openBoltFile(path, o)
	if err != nil {
		return nil, err
	}
	s.db.Store(db)
	return s, nil
}

// openBoltFile opens the file itself. An existing file is read through
// first (see damage.go): bbolt would panic on a damaged page, and treat a
// file cut to 0 bytes as a new, empty store.
func openBoltFile(path string, o BoltOptions) (*bolt.DB, error) {
	if !o.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("open ticket store: %w", err)
		}
	}
	if _, err := os.Stat(path); err == nil {
		if err := checkBoltFile("ticket store", path, func(bf *boltFile) salvage { return readStoreFile(bf, false) }); err != nil {
			return nil, openError(path, err, o)
		}
	} else if o.ReadOnly || !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open ticket store: %w", err)
	}
	db, err := guardOpen("ticket store", path, &bolt.Options{Timeout: o.Timeout, NoSync: o.NoSync, ReadOnly: o.ReadOnly})
	if err != nil {
		return nil, openError(path, err, o)
	}
	if err := createTop(db, path, o); err != nil {
		return nil, err
	}
	return db, nil
}

// openError says why the file at path did not open.
func openError(path string, err error, o BoltOptions) error {
	switch {
	case errors.As(err, new(*DamagedError)):
		return advise(err, o.Advice)
	case errors.Is(err, bolterr.ErrTimeout) || errors.Is(err, ErrInUse):
		return fmt.Errorf("open ticket store %s: %w (the embedded store serves one bot; use store.backend redis for several)", path, ErrInUse)
	}
	return fmt.Errorf("open ticket store %s: %w", path, err)
}

// createTop makes sure a writable store has its top bucket.
func createTop(db *bolt.DB, path string, o BoltOptions) error {
	if o.ReadOnly {
		return nil
	}
	err := guard("ticket store", path, func() error {
		return db.Update(func(tx *bolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists(bucketTickets)
			return err
		})
	})
	if err != nil {
		db.Close()
		return fmt.Errorf("open ticket store %s: %w", path, err)
	}
	return nil
}

// create returns the open file, creating it if the store is lazy and has
// none yet; the events held until then are written first.
func (s *BoltStore) create() (*bolt.DB, error) {
	if db := s.db.Load(); db != nil {
		return db, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if db := s.db.Load(); db != nil {
		return db, nil
	}
	db, err := openBoltFile(s.path, s.opts)
	if err != nil {
		return nil, err
	}
	if len(s.held) > 0 {
		if err := s.guard(func() error { return appendBoltEvents(db, s.held) }); err != nil {
			db.Close()
			return nil, err
		}
		s.held = nil
	}
	s.db.Store(db)
	return db, nil
}

// guard runs fn, a transaction on the store's file, turning a panic on a
// damaged page into an error.
func (s *BoltStore) guard(fn func() error) error {
	return advise(guard("ticket store", s.path, fn), s.opts.Advice)
}

// update runs fn in a write transaction on a file that exists: a lazy store
// without one answers errNoFile.
func (s *BoltStore) update(fn func(*bolt.Tx) error) error {
	db := s.db.Load()
	if db == nil {
		return errNoFile
	}
	return s.guard(func() error { return db.Update(fn) })
}

// view runs fn in a read transaction; a lazy store without its file
// answers errNoFile.
func (s *BoltStore) view(fn func(*bolt.Tx) error) error {
	db := s.db.Load()
	if db == nil {
		return errNoFile
	}
	return s.guard(func() error { return db.View(fn) })
}

// viewAll is view for listings: a store without its file lists nothing.
func (s *BoltStore) viewAll(fn func(*bolt.Tx) error) error {
	db := s.db.Load()
	if db == nil {
		return nil
	}
	return s.guard(func() error { return db.View(fn) })
}

// Close closes the file.
func (s *BoltStore) Close() error {
	if db := s.db.Load(); db != nil {
		return db.Close()
	}
	return nil
}

func numKey(n int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	return b[:]
}

func owedKey(user string, n int64) []byte {
	return append(append([]byte(user), 0), numKey(n)...)
}

// channelBuckets are one channel's buckets within a transaction.
type channelBuckets struct {
	root, t, msg, open, owed *bolt.Bucket
}

// bucketsOf are channel's buckets in tx, created when create is set; nil
// when the store has no such channel (or, read-only, no top bucket).
func bucketsOf(tx *bolt.Tx, channel string, create bool) (*channelBuckets, error) {
	top := tx.Bucket(bucketTickets)
	if top == nil {
		return nil, nil
	}
	var cb channelBuckets
	if create {
		var err error
		if cb.root, err = top.CreateBucketIfNotExists([]byte(channel)); err != nil {
			return nil, err
		}
		for _, b := range []struct {
			dst  **bolt.Bucket
			name []byte
		}{{&cb.t, bucketTicket}, {&cb.msg, bucketMsg}, {&cb.open, bucketOpen}, {&cb.owed, bucketOwed}} {
			if *b.dst, err = cb.root.CreateBucketIfNotExists(b.name); err != nil {
				return nil, err
			}
		}
		return &cb, nil
	}
	if cb.root = top.Bucket([]byte(channel)); cb.root == nil {
		return nil, nil
	}
	cb.t, cb.msg, cb.open, cb.owed = cb.root.Bucket(bucketTicket), cb.root.Bucket(bucketMsg), cb.root.Bucket(bucketOpen), cb.root.Bucket(bucketOwed)
	return &cb, nil
}

func (cb *channelBuckets) get(n int64) (Ticket, error) {
	v := cb.t.Get(numKey(n))
	if v == nil {
		return Ticket{}, ErrNotFound
	}
	var t Ticket
	if err := json.Unmarshal(v, &t); err != nil {
		return Ticket{}, fmt.Errorf("decode ticket #%d: %w", n, err)
	}
	return t, nil
}

// put writes t and brings the open and owed indexes in line with it.
func (cb *channelBuckets) put(before *Ticket, t Ticket) error {
	v, err := json.Marshal(t)
	if err != nil {
		return err
	}
	k := numKey(t.Number)
	if err := cb.t.Put(k, v); err != nil {
		return err
	}
	if t.State.Open() {
		err = cb.open.Put(k, nil)
	} else {
		err = cb.open.Delete(k)
	}
	if err != nil {
		return err
	}
	if before != nil {
		for _, a := range before.Owed() {
			if err := cb.owed.Delete(owedKey(a.User, t.Number)); err != nil {
				return err
			}
		}
	}
	for _, a := range t.Owed() {
		if err := cb.owed.Put(owedKey(a.User, t.Number), nil); err != nil {
			return err
		}
	}
	return nil
}

// Create implements Store.
func (s *BoltStore) Create(_ context.Context, n NewTicket) (Ticket, bool, error) {
	if err := n.Validate(); err != nil {
		return Ticket{}, false, err
	}
	var out Ticket
	var created bool
	db, err := s.create()
	if err != nil {
		return Ticket{}, false, fmt.Errorf("create ticket in #%s: %w", n.Channel, err)
	}
	err = s.guard(func() error {
		return db.Update(func(tx *bolt.Tx) error {
			cb, err := bucketsOf(tx, n.Channel, true)
			if err != nil {
				return err
			}
			if v := cb.msg.Get([]byte(n.MessageID)); v != nil {
				out, err = cb.get(int64(binary.BigEndian.Uint64(v)))
				return err
			}
			seq, err := cb.root.NextSequence()
			if err != nil {
				return err
			}
			out = newTicket(n, int64(seq))
			created = true
			if err := cb.msg.Put([]byte(n.MessageID), numKey(out.Number)); err != nil {
				return err
			}
			return cb.put(nil, out)
		})
	})
	if err != nil {
		return Ticket{}, false, fmt.Errorf("create ticket in #%s: %w", n.Channel, err)
	}
	return out, created, nil
}

// transition runs apply on one ticket inside a write transaction.
func (s *BoltStore) transition(op Op, name string, apply func(*Ticket) (bool, error)) (Ticket, bool, error) {
	var out Ticket
	var changed bool
	err := s.update(func(tx *bolt.Tx) error {
		cb, err := bucketsOf(tx, op.Channel, false)
		if err != nil {
			return err
		}
		if cb == nil {
			return ErrNotFound
		}
		t, err := cb.get(op.Number)
		if err != nil {
			return err
		}
		before := t
		before.Askers = append([]Asker(nil), t.Askers...)
		changed, err = apply(&t)
		out = t
		if err != nil || !changed {
			return err
		}
		return cb.put(&before, t)
	})
	if err != nil {
		var te *TransitionError
		if errors.As(err, &te) {
			return te.Ticket, false, err
		}
		return Ticket{}, false, fmt.Errorf("%s #%s %d: %w", name, op.Channel, op.Number, err)
	}
	return out, changed, nil
}

// Join implements Store.
func (s *BoltStore) Join(_ context.Context, op Op, a Asker) (Ticket, error) {
	t, _, err := s.transition(op, "join", func(t *Ticket) (bool, error) { return applyJoin(t, op, a) })
	return t, err
}

// Claim implements Store.
func (s *BoltStore) Claim(_ context.Context, op Op, lease time.Duration) (Ticket, error) {
	t, _, err := s.transition(op, "claim", func(t *Ticket) (bool, error) { return applyClaim(t, op, lease) })
	return t, err
}

// Answer implements Store.
func (s *BoltStore) Answer(_ context.Context, op Op, text string) (Ticket, error) {
	t, _, err := s.transition(op, "answer", func(t *Ticket) (bool, error) { return applyAnswer(t, op, text) })
	return t, err
}

// Resolve implements Store.
func (s *BoltStore) Resolve(_ context.Context, op Op) (Ticket, error) {
	t, _, err := s.transition(op, "resolve", func(t *Ticket) (bool, error) { return applyResolve(t, op) })
	return t, err
}

// Dismiss implements Store.
func (s *BoltStore) Dismiss(_ context.Context, op Op, reason string) (Ticket, error) {
	t, _, err := s.transition(op, "dismiss", func(t *Ticket) (bool, error) { return applyDismiss(t, op, reason) })
	return t, err
}

// Reopen implements Store.
func (s *BoltStore) Reopen(_ context.Context, op Op) (Ticket, error) {
	t, _, err := s.transition(op, "reopen", func(t *Ticket) (bool, error) { return applyReopen(t, op) })
	return t, err
}

// Delivered implements Store.
func (s *BoltStore) Delivered(_ context.Context, op Op, user string) (bool, error) {
	_, changed, err := s.transition(op, "delivered", func(t *Ticket) (bool, error) { return applySettle(t, op, user, false) })
	return changed, err
}

// Expire implements Store.
func (s *BoltStore) Expire(_ context.Context, op Op, user string) (bool, error) {
	_, changed, err := s.transition(op, "expire", func(t *Ticket) (bool, error) { return applySettle(t, op, user, true) })
	return changed, err
}

// Remind implements Store.
func (s *BoltStore) Remind(_ context.Context, op Op, every time.Duration) (bool, error) {
	_, changed, err := s.transition(op, "remind", func(t *Ticket) (bool, error) { return applyRemind(t, op, every) })
	return changed, err
}

// Get implements Store.
func (s *BoltStore) Get(_ context.Context, channel string, number int64) (Ticket, error) {
	var out Ticket
	err := s.view(func(tx *bolt.Tx) error {
		cb, err := bucketsOf(tx, channel, false)
		if err != nil {
			return err
		}
		if cb == nil {
			return ErrNotFound
		}
		out, err = cb.get(number)
		return err
	})
	if err != nil {
		return Ticket{}, fmt.Errorf("get #%s %d: %w", channel, number, err)
	}
	return out, nil
}

// List implements Store.
func (s *BoltStore) List(_ context.Context, channel string, f Filter) ([]Ticket, error) {
	var out []Ticket
	err := s.viewAll(func(tx *bolt.Tx) error {
		cb, err := bucketsOf(tx, channel, false)
		if err != nil || cb == nil {
			return err
		}
		if f.Open {
			return cb.open.ForEach(func(k, _ []byte) error {
				if f.Limit > 0 && len(out) >= f.Limit {
					return nil
				}
				t, err := cb.get(int64(binary.BigEndian.Uint64(k)))
				if err != nil {
					return err
				}
				if f.match(t) {
					out = append(out, t)
				}
				return nil
			})
		}
		return cb.t.ForEach(func(_, v []byte) error {
			if f.Limit > 0 && len(out) >= f.Limit {
				return nil
			}
			var t Ticket
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			if f.match(t) {
				out = append(out, t)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list tickets of #%s: %w", channel, err)
	}
	return out, nil
}

// Owed implements Store.
func (s *BoltStore) Owed(_ context.Context, channel, user string) ([]Ticket, error) {
	var out []Ticket
	err := s.viewAll(func(tx *bolt.Tx) error {
		cb, err := bucketsOf(tx, channel, false)
		if err != nil || cb == nil {
			return err
		}
		prefix := append([]byte(user), 0)
		c := cb.owed.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			t, err := cb.get(int64(binary.BigEndian.Uint64(k[len(prefix):])))
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("owed answers for %s in #%s: %w", user, channel, err)
	}
	return out, nil
}

// OwedUsers implements Store.
func (s *BoltStore) OwedUsers(_ context.Context, channel string) ([]string, error) {
	var out []string
	err := s.viewAll(func(tx *bolt.Tx) error {
		cb, err := bucketsOf(tx, channel, false)
		if err != nil || cb == nil {
			return err
		}
		return cb.owed.ForEach(func(k, _ []byte) error {
			user := string(k[:bytes.IndexByte(k, 0)])
			if len(out) == 0 || out[len(out)-1] != user {
				out = append(out, user)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("owed users in #%s: %w", channel, err)
	}
	return out, nil
}
