package escalation

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Recovery is what RecoverBolt did.
type Recovery struct {
	// Damaged is false when the file was readable as it is; it is then
	// left alone.
	Damaged bool
	// Tickets is how many tickets the new file holds.
	Tickets int
	// Older is how many of them were read from pages the file's tree no
	// longer reaches: each is the latest copy found, but its very last
	// change may have been on a page that is lost.
	Older int
	// Unreadable is how many tickets the damaged file numbered but could
	// not give back.
	Unreadable int
	// Uncounted is set when the part of the file that lists the channels,
	// and so counts their tickets, was unreadable: more than Unreadable
	// may be lost.
	Uncounted bool
	// Events is how many events the new file holds.
	Events int
	// Kept is where the damaged file is now.
	Kept string
	// Problems name each place that could not be read.
	Problems []string
}

// RecoverBolt copies every readable ticket and event of the damaged ticket
// store at path into a new file at path, keeping the damaged file beside it.
// It refuses with ErrInUse while another process holds the file. Ticket
// numbers are kept, and the channels' counters continue after the highest
// number the damaged file gave out, so no number is handed out twice.
//
// What the file's tree still reaches is taken as it is. A ticket the tree
// lost (on a damaged page, or past the end of a file cut short, where bbolt
// writes its newest pages) is looked for in every other page of the file,
// and its most recent copy there taken.
func RecoverBolt(path string, now time.Time) (Recovery, error) {
	s, problems, kept, err := recoverFile(path, now, func(bf *boltFile) salvage { return readStoreFile(bf, true) })
	if err != nil {
		return Recovery{}, fmt.Errorf("recover ticket store %s: %w", path, err)
	}
	c := s.(*storeContents)
	r := Recovery{Damaged: len(problems) > 0, Uncounted: c.uncounted, Kept: kept, Problems: problems}
	for _, ch := range c.channels {
		r.Tickets += ch.saved
		r.Older += len(ch.older)
		r.Unreadable += max(int(ch.seq)-ch.saved, 0)
		r.Events += ch.events
	}
	return r, nil
}

// Report says what a recovery did, for the streamer.
func (r Recovery) Report(path string) string {
	if !r.Damaged {
		return fmt.Sprintf("%s is not damaged: all %d tickets and %d events read back; nothing to recover\n", path, r.Tickets, r.Events)
	}
	var b strings.Builder
	lost := fmt.Sprintf("%d unreadable", r.Unreadable)
	switch {
	case r.Uncounted && r.Unreadable == 0:
		lost = "how many were lost cannot be told"
	case r.Uncounted:
		lost = fmt.Sprintf("at least %d unreadable", r.Unreadable)
	}
	fmt.Fprintf(&b, "recovered %s: %d tickets saved, %s; %d events saved\n", path, r.Tickets, lost, r.Events)
	if r.Older > 0 {
		fmt.Fprintf(&b, "%d of them were read from pages the file's index no longer reaches: each is the latest copy found, but its last change may be missing\n", r.Older)
	}
	fmt.Fprintf(&b, "the damaged file is kept as %s\n", r.Kept)
	for i, p := range r.Problems {
		if i == 10 {
			fmt.Fprintf(&b, "  … and %d more\n", len(r.Problems)-i)
			break
		}
		fmt.Fprintf(&b, "  unreadable: %s\n", p)
	}
	return b.String()
}

// storeContents is what could be read of a ticket store file.
type storeContents struct {
	bf       *boltFile
	keep     bool
	channels map[string]*channelContents
	// uncounted says the list of channels was not all readable.
	uncounted bool
}

// channelContents is one channel's part; tickets and events are only kept
// for a recovery, and counted always.
type channelContents struct {
	seq      uint64 // the channel's ticket counter
	saved    int
	tickets  map[int64]Ticket
	older    map[int64]bool // tickets found outside the tree
	eventSeq uint64
	events   int
	eventKV  map[string][]byte
}

func (c *storeContents) problems() []string { return c.bf.problems }

func (c *storeContents) channel(name string) *channelContents {
	ch := c.channels[name]
	if ch == nil {
		ch = &channelContents{tickets: map[int64]Ticket{}, older: map[int64]bool{}, eventKV: map[string][]byte{}}
		c.channels[name] = ch
	}
	return ch
}

// readStoreFile reads every ticket and event of a ticket store file; with
// keep false it only checks them (the check at every open).
func readStoreFile(bf *boltFile, keep bool) *storeContents {
	c := &storeContents{bf: bf, keep: keep, channels: map[string]*channelContents{}, uncounted: true}
	if bf.pageSize > 0 {
		before := len(bf.problems)
		top := bf.buckets(bf.meta.root, "the file's buckets")
		var channels, logs map[string]boltBucket
		if tb, ok := top[string(bucketTickets)]; ok {
			channels = bf.buckets(tb, "the ticket channels")
		}
		c.uncounted = len(bf.problems) > before
		for name, chb := range channels {
			c.readTickets(name, chb)
		}
		if eb, ok := top[string(bucketEvents)]; ok {
			logs = bf.buckets(eb, "the event log")
		}
		for name, chb := range logs {
			c.readEvents(name, chb)
		}
	}
	if keep && (bf.pageSize == 0 || len(bf.problems) > 0) {
		bf.scan(c.scanned)
	}
	return c
}

func (c *storeContents) readTickets(channel string, b boltBucket) {
	bf, ch := c.bf, c.channel(channel)
	ch.seq = b.seq
	where := "#" + channel + "'s tickets"
	subs := bf.buckets(b, where)
	for _, name := range [][]byte{bucketTicket, bucketMsg, bucketOpen, bucketOwed} {
		sub, ok := subs[string(name)]
		if !ok {
			bf.problem(where, fmt.Errorf("its bucket %q is missing", name))
			continue
		}
		bf.each(sub, where, func(k, v []byte, _ *boltBucket) {
			if string(name) != string(bucketTicket) {
				return // the indexes are rebuilt from the tickets
			}
			t, err := decodeStoredTicket(k, v)
			if err == nil && t.Channel != channel {
				err = fmt.Errorf("ticket #%d is unreadable: it says it is #%s's", t.Number, t.Channel)
			}
			if err != nil {
				bf.problem(where, err)
				return
			}
			c.addTicket(ch, t, false)
		})
	}
}

// addTicket counts t, and keeps it for a recovery. older marks a copy
// found outside the tree (read after it): that never replaces the tree's
// copy, and among such copies the latest wins.
func (c *storeContents) addTicket(ch *channelContents, t Ticket, older bool) {
	ch.seq = max(ch.seq, uint64(t.Number))
	had, ok := ch.tickets[t.Number]
	switch {
	case !ok:
		ch.saved++
	case !ch.older[t.Number]:
		return
	case had.Revision > t.Revision || (had.Revision == t.Revision && !t.UpdatedAt.After(had.UpdatedAt)):
		return
	}
	if older {
		ch.older[t.Number] = true
	}
	n := t.Number
	if !c.keep {
		t = Ticket{} // counted, not kept
	}
	ch.tickets[n] = t
}

// decodeStoredTicket decodes the ticket stored under key k, and checks it
// is the one the key says.
func decodeStoredTicket(k, v []byte) (Ticket, error) {
	if len(k) != 8 {
		return Ticket{}, fmt.Errorf("an entry has a %d-byte key, not a ticket number", len(k))
	}
	n := int64(binary.BigEndian.Uint64(k))
	var t Ticket
	if err := json.Unmarshal(v, &t); err != nil {
		return Ticket{}, fmt.Errorf("ticket #%d is unreadable: %v", n, err)
	}
	if t.Number != n || t.Channel == "" || !t.State.Valid() {
		return Ticket{}, fmt.Errorf("ticket #%d is unreadable: it says it is #%d", n, t.Number)
	}
	return t, nil
}

func (c *storeContents) readEvents(channel string, b boltBucket) {
	ch := c.channel(channel)
	ch.eventSeq = b.seq
	where := "#" + channel + "'s event log"
	c.bf.each(b, where, func(k, v []byte, sub *boltBucket) {
		if sub != nil || string(k) == string(eventCount) {
			return
		}
		// The check at every open reads up to MaxEvents per channel: that
		// they are JSON is enough there, and a third of the cost.
		if !c.keep && len(k) == eventKeyLen && json.Valid(v) {
			c.addEvent(ch, k, v)
			return
		}
		if _, err := decodeStoredEvent(k, v); err != nil {
			c.bf.problem(where, err)
			return
		}
		c.addEvent(ch, k, v)
	})
}

func decodeStoredEvent(k, v []byte) (Event, error) {
	var e Event
	if len(k) != eventKeyLen {
		return e, fmt.Errorf("an entry has a %d-byte key, not an event's", len(k))
	}
	if err := json.Unmarshal(v, &e); err != nil {
		return e, fmt.Errorf("an event of %s is unreadable: %v", eventKeyTime(k).Format(time.RFC3339), err)
	}
	if e.Validate() != nil {
		return e, fmt.Errorf("an event of %s is unreadable", eventKeyTime(k).Format(time.RFC3339))
	}
	return e, nil
}

// addEvent counts an event, and keeps it for a recovery; the tree's keys
// are unique, so only a recovery, which also scans, needs the map.
func (c *storeContents) addEvent(ch *channelContents, k, v []byte) {
	if !c.keep {
		ch.events++
		return
	}
	if _, ok := ch.eventKV[string(k)]; ok {
		return
	}
	ch.events++
	ch.eventSeq = max(ch.eventSeq, binary.BigEndian.Uint64(k[8:]))
	ch.eventKV[string(k)] = v
}

// scanned takes an entry found outside the tree when it is a ticket or an
// event the tree did not give back.
func (c *storeContents) scanned(k, v []byte) {
	switch len(k) {
	case 8:
		if t, err := decodeStoredTicket(k, v); err == nil && t.Kind != "" {
			c.addTicket(c.channel(t.Channel), t, true)
		}
	case eventKeyLen:
		if e, err := decodeStoredEvent(k, v); err == nil && e.Kind != "" {
			c.addEvent(c.channel(e.Channel), k, v)
		}
	}
}

// write fills a new store file with what was read; the open, owed and
// message indexes are built afresh from the tickets.
func (c *storeContents) write(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketTickets); err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(c.channels)) {
			ch := c.channels[name]
			if ch.seq > 0 {
				if err := writeTickets(tx, name, ch); err != nil {
					return err
				}
			}
			if ch.events > 0 {
				if err := writeEvents(tx, name, ch); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func writeTickets(tx *bolt.Tx, channel string, ch *channelContents) error {
	cb, err := bucketsOf(tx, channel, true)
	if err != nil {
		return err
	}
	for _, n := range slices.Sorted(maps.Keys(ch.tickets)) {
		t := ch.tickets[n]
		if err := cb.put(nil, t); err != nil {
			return err
		}
		if t.MessageID != "" {
			if err := cb.msg.Put([]byte(t.MessageID), numKey(t.Number)); err != nil {
				return err
			}
		}
	}
	return cb.root.SetSequence(ch.seq)
}

func writeEvents(tx *bolt.Tx, channel string, ch *channelContents) error {
	top, err := tx.CreateBucketIfNotExists(bucketEvents)
	if err != nil {
		return err
	}
	b, err := top.CreateBucketIfNotExists([]byte(channel))
	if err != nil {
		return err
	}
	for k, v := range ch.eventKV {
		if err := b.Put([]byte(k), v); err != nil {
			return err
		}
	}
	if err := addCount(b, int64(ch.events)); err != nil {
		return err
	}
	return b.SetSequence(ch.eventSeq)
}
