package escalation

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Event log layout: events/<channel>/ holds time (ms, big endian) + sequence
// → event JSON, so a report seeks straight to its start, and "n" → how many
// events the channel keeps, so trimming to MaxEvents needs no count.
var (
	bucketEvents = []byte("events")
	eventCount   = []byte("n")
)

const eventKeyLen = 16

func eventKey(at time.Time, seq uint64) []byte {
	k := make([]byte, eventKeyLen)
	binary.BigEndian.PutUint64(k, uint64(max(at.UnixMilli(), 0)))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

func eventKeyTime(k []byte) time.Time {
	return time.UnixMilli(int64(binary.BigEndian.Uint64(k))).UTC()
}

// AppendEvents implements EventLog.
func (s *BoltStore) AppendEvents(_ context.Context, events ...Event) error {
	if err := validateEvents(events); err != nil {
		return err
	}
	db := s.db.Load()
	if db == nil {
		s.mu.Lock()
		if db = s.db.Load(); db == nil {
			// No ticket has created the file yet: the events wait.
			if room := MaxHeldEvents - len(s.held); len(events) > room {
				events = events[:max(room, 0)]
			}
			s.held = append(s.held, events...)
			s.mu.Unlock()
			return nil
		}
		s.mu.Unlock()
	}
	if err := s.guard(func() error { return appendBoltEvents(db, events) }); err != nil {
		return fmt.Errorf("append events: %w", err)
	}
	return nil
}

// appendBoltEvents writes events in one transaction, trimming each
// channel's log to its bounds.
func appendBoltEvents(db *bolt.DB, events []Event) error {
	return db.Update(func(tx *bolt.Tx) error {
		top, err := tx.CreateBucketIfNotExists(bucketEvents)
		if err != nil {
			return err
		}
		touched := map[string]*bolt.Bucket{}
		added := map[*bolt.Bucket]int64{}
		for _, e := range events {
			b := touched[e.Channel]
			if b == nil {
				if b, err = top.CreateBucketIfNotExists([]byte(e.Channel)); err != nil {
					return err
				}
				// Keys grow with time, so pages fill from the right
				// and are never split again: pack them nearly full.
				b.FillPercent = 0.95
				touched[e.Channel] = b
			}
			v, err := json.Marshal(e)
			if err != nil {
				return err
			}
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			if err := b.Put(eventKey(e.At, seq), v); err != nil {
				return err
			}
			added[b]++
		}
		for _, b := range touched {
			if err := addCount(b, added[b]); err != nil {
				return err
			}
			if err := trimBolt(b); err != nil {
				return err
			}
		}
		return nil
	})
}

func addCount(b *bolt.Bucket, d int64) error {
	var n int64
	if v := b.Get(eventCount); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(max(n+d, 0)))
	return b.Put(eventCount, buf[:])
}

// trimBolt drops a channel's events past the log's bounds, oldest first.
func trimBolt(b *bolt.Bucket) error {
	var n int64
	if v := b.Get(eventCount); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	c := b.Cursor()
	var newest time.Time
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		if len(k) == eventKeyLen {
			newest = eventKeyTime(k)
			break
		}
	}
	cut := newest.Add(-EventRetention)
	var drop [][]byte
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) != eventKeyLen {
			continue
		}
		if n-int64(len(drop)) <= MaxEvents && !eventKeyTime(k).Before(cut) {
			break
		}
		drop = append(drop, bytes.Clone(k))
	}
	for _, k := range drop {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	if len(drop) == 0 {
		return nil
	}
	return addCount(b, -int64(len(drop)))
}

// Events implements EventLog.
func (s *BoltStore) Events(_ context.Context, channel string, since time.Time) ([]Event, error) {
	var out []Event
	err := s.viewAll(func(tx *bolt.Tx) error {
		top := tx.Bucket(bucketEvents)
		if top == nil {
			return nil
		}
		b := top.Bucket([]byte(channel))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(eventKey(since, 0)); k != nil; k, v = c.Next() {
			if len(k) != eventKeyLen {
				continue
			}
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode event: %w", err)
			}
			if !e.At.Before(since) {
				out = append(out, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list events of %s: %w", channel, err)
	}
	return out, nil
}
