package escalation

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// spoolBuckets are the buckets of a spool file.
var spoolBuckets = [][]byte{bucketSpool, bucketSpoolMsg, bucketSpoolDead, bucketSpoolSalvaged}

// recoverSpool checks an existing spool file and, when it is damaged,
// replaces it with what can be read of it. recoverFile reads the file once,
// under its lock, and changes nothing when all of it reads back.
func recoverSpool(path string, now time.Time, log *slog.Logger) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	s, problems, kept, err := recoverFile(path, now, func(bf *boltFile) salvage { return readSpoolFile(bf) })
	switch {
	case err != nil && len(problems) > 0:
		de := &DamagedError{File: "spool", Path: path, Reason: summary(problems)}
		return fmt.Errorf("%w; recovering it failed: %v", de, err)
	case err != nil:
		return fmt.Errorf("open spool %s: %w", path, err)
	case len(problems) == 0:
		return nil
	}
	c := s.(*spoolContents)
	log.Warn("the spool file was damaged; its readable tickets are in a fresh spool, to be filed as usual",
		"file", path, "kept", kept, "tickets", len(c.entries), "salvaged", len(c.salvaged), "unreadable", c.unreadable, "problem", summary(problems))
	return nil
}

// spoolContents is what could be read of a spool file.
type spoolContents struct {
	bf  *boltFile
	seq uint64
	// entries and dead are by key (the filing's sequence number) the
	// NewTicket JSON waiting, or refused by the store.
	entries, dead map[string][]byte
	// salvaged are entries found outside the file's tree.
	salvaged map[string]bool
	// unreadable counts filings the spool's index names but whose entry
	// could not be read.
	unreadable int
}

func (c *spoolContents) problems() []string { return c.bf.problems }

// readSpoolFile reads what it can of a spool file. A filing the tree lost
// is looked for in the file's other pages: one found there may have been
// filed already, which filing again (idempotent on the message id) finds.
func readSpoolFile(bf *boltFile) *spoolContents {
	c := &spoolContents{bf: bf, entries: map[string][]byte{}, dead: map[string][]byte{}, salvaged: map[string]bool{}}
	var index [][]byte // the message index's values: sequence numbers
	if bf.pageSize > 0 {
		top := bf.buckets(bf.meta.root, "the spool's buckets")
		for _, b := range []struct {
			name  []byte
			where string
			into  map[string][]byte
		}{{bucketSpool, "the spooled tickets", c.entries}, {bucketSpoolDead, "the refused tickets", c.dead}} {
			sub, ok := top[string(b.name)]
			if !ok {
				continue
			}
			if string(b.name) == string(bucketSpool) {
				c.seq = sub.seq
			}
			bf.each(sub, b.where, func(k, v []byte, _ *boltBucket) {
				if !spooledEntry(k, v) {
					bf.problem(b.where, errors.New("a spooled ticket is unreadable"))
					return
				}
				b.into[string(k)] = v
			})
		}
		if sub, ok := top[string(bucketSpoolMsg)]; ok {
			bf.each(sub, "the spool's index", func(_, v []byte, _ *boltBucket) { index = append(index, v) })
		}
	}
	if bf.pageSize == 0 || len(bf.problems) > 0 {
		bf.scan(func(k, v []byte) {
			if _, ok := c.entries[string(k)]; !ok && c.dead[string(k)] == nil && spooledEntry(k, v) {
				c.entries[string(k)], c.salvaged[string(k)] = v, true
			}
		})
	}
	for _, k := range index {
		if _, ok := c.entries[string(k)]; !ok {
			c.unreadable++
		}
	}
	for k := range c.entries {
		c.seq = max(c.seq, binary.BigEndian.Uint64([]byte(k)))
	}
	return c
}

// spooledEntry reports whether k, v is a readable spool entry.
func spooledEntry(k, v []byte) bool {
	var n NewTicket
	return len(k) == 8 && json.Unmarshal(v, &n) == nil && n.Validate() == nil
}

// write fills a new spool file; its message index is built afresh.
func (c *spoolContents) write(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		bs := map[string]*bolt.Bucket{}
		for _, name := range spoolBuckets {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			bs[string(name)] = b
		}
		for k, v := range c.entries {
			var n NewTicket
			_ = json.Unmarshal(v, &n) // it decoded when it was read
			if err := bs[string(bucketSpool)].Put([]byte(k), v); err != nil {
				return err
			}
			if err := bs[string(bucketSpoolMsg)].Put([]byte(n.Channel+"\x00"+n.MessageID), []byte(k)); err != nil {
				return err
			}
			if c.salvaged[k] {
				if err := bs[string(bucketSpoolSalvaged)].Put([]byte(k), nil); err != nil {
					return err
				}
			}
		}
		for k, v := range c.dead {
			if err := bs[string(bucketSpoolDead)].Put([]byte(k), v); err != nil {
				return err
			}
		}
		return bs[string(bucketSpool)].SetSequence(c.seq)
	})
}
