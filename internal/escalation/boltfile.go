package escalation

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"unicode/utf8"
)

// boltFile reads a bbolt file the way bbolt lays it out on disk, checking
// every offset, for two jobs bbolt cannot do itself: telling a damaged file
// from a good one before bbolt maps it (bbolt trusts its pages, and panics
// or faults, which no recover catches, on one that is not what it expects),
// and reading what is still readable out of a damaged file, page by page,
// so one bad page costs the entries on it and nothing else.
//
// It only walks the tree from the newest valid meta page, as bbolt does, so
// free pages holding old versions of an entry are never read.
//
// The layout (go.etcd.io/bbolt/internal/common, file format version 2) in
// the machine's byte order, as bbolt writes it: every page starts with a
// 16-byte header (id uint64, flags uint16, count uint16, overflow uint32);
// pages 0 and 1 are meta pages; a branch page has count elements {pos,
// ksize uint32, child pgid uint64}; a leaf page has count elements {flags,
// pos, ksize, vsize uint32}, pos counted from the element itself; a nested
// bucket is a leaf value of {root pgid, sequence uint64}, followed by the
// bucket's only page when root is 0 (an inline bucket).
type boltFile struct {
	r        io.ReaderAt
	size     int64
	pageSize int64
	meta     boltMeta
	// seen guards against a damaged branch that points back up the tree.
	seen map[uint64]bool
	// problems name every place that could not be read.
	problems []string
}

// boltMeta is the part of a meta page the walk needs.
type boltMeta struct {
	root     boltBucket
	freelist uint64
	hwm      uint64 // pages below it are in use or free
	txid     uint64
}

// boltBucket is where a bucket's entries are: a root page, or an inline
// page carried in the parent's value.
type boltBucket struct {
	root   uint64
	seq    uint64
	inline []byte
}

const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	boltHeaderSize  = 16
	boltElemSize    = 16
	boltMetaSize    = 64 // up to and including the checksum
	boltBranchFlag  = 0x01
	boltLeafFlag    = 0x02
	boltMetaFlag    = 0x04
	boltFreeFlag    = 0x10
	boltBucketEntry = 0x01
	boltNoFreelist  = ^uint64(0)
	// boltMaxDepth is far deeper than any real tree (bbolt splits pages at
	// 4 KiB, so depth 10 already holds more than a disk).
	boltMaxDepth = 64
)

var ne = binary.NativeEndian

// readBoltFile checks r's meta pages, size and free list and returns a
// reader for its tree, or why the file is not a readable bbolt file.
func readBoltFile(r io.ReaderAt, size int64) (*boltFile, error) {
	if size == 0 {
		return nil, errors.New("it is empty: 0 bytes")
	}
	head := make([]byte, min(size, 4096))
	if _, err := r.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	bf := &boltFile{r: r, size: size, seen: map[uint64]bool{}}
	// Meta page 0 says the page size; when it is the damaged one, meta
	// page 1 is looked for where each usual page size would put it.
	var metas []boltMeta
	if m, ps, ok := parseBoltMeta(head); ok {
		metas, bf.pageSize = append(metas, m), ps
	}
	sizes := []int64{bf.pageSize}
	if bf.pageSize == 0 {
		sizes = []int64{4096, 8192, 16384, 32768, 65536, int64(os.Getpagesize())}
	}
	for _, ps := range sizes {
		buf := make([]byte, boltHeaderSize+boltMetaSize)
		if n, _ := r.ReadAt(buf, ps); n < len(buf) {
			continue
		}
		if m, mps, ok := parseBoltMeta(buf); ok && mps == ps {
			metas, bf.pageSize = append(metas, m), ps
			break
		}
	}
	if len(metas) == 0 {
		return nil, errors.New(notBolt(head))
	}
	bf.meta = metas[0]
	if len(metas) == 2 && metas[1].txid > metas[0].txid {
		bf.meta = metas[1]
	}
	// What follows is damage too, but the tree may still be readable in
	// part: noted, so the file is refused, and left to the walk.
	m := bf.meta
	if m.hwm > uint64(size/bf.pageSize) {
		bf.problem("", fmt.Errorf("it is cut short: %d bytes of the %d its header counts", size, int64(m.hwm)*bf.pageSize))
	}
	if m.freelist != boltNoFreelist {
		if err := bf.checkFreelist(m.freelist); err != nil {
			bf.problem("the file's free-page list", err)
		}
	}
	return bf, nil
}

// parseBoltMeta reads the meta page at the start of p, and whether it is a
// valid one.
func parseBoltMeta(p []byte) (boltMeta, int64, bool) {
	if len(p) < boltHeaderSize+boltMetaSize || ne.Uint16(p[8:]) != boltMetaFlag {
		return boltMeta{}, 0, false
	}
	m := p[boltHeaderSize : boltHeaderSize+boltMetaSize]
	h := fnv.New64a()
	h.Write(m[:56])
	if ne.Uint32(m[0:]) != boltMagic || ne.Uint32(m[4:]) != boltVersion || ne.Uint64(m[56:]) != h.Sum64() {
		return boltMeta{}, 0, false
	}
	ps := int64(ne.Uint32(m[8:]))
	if ps < 512 || ps > 1<<20 {
		return boltMeta{}, 0, false
	}
	return boltMeta{
		root:     boltBucket{root: ne.Uint64(m[16:]), seq: ne.Uint64(m[24:])},
		freelist: ne.Uint64(m[32:]),
		hwm:      ne.Uint64(m[40:]),
		txid:     ne.Uint64(m[48:]),
	}, ps, true
}

// notBolt says what a file with no valid meta page looks like instead, so
// a store path pointed at the wrong file says so.
func notBolt(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return "it is a SQLite database, not a bbolt file"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "it is a zip archive, not a bbolt file"
	case isText(head):
		return "it is a text file, not a bbolt file"
	case len(head) >= boltHeaderSize && ne.Uint16(head[8:]) == boltMetaFlag:
		return "both of its header pages are unreadable"
	}
	return "it is not a bbolt file"
}

// isText reports whether head is UTF-8 text; the last rune may be cut off.
func isText(head []byte) bool {
	for cut := 0; cut < utf8.UTFMax && cut < len(head); cut++ {
		if t := head[:len(head)-cut]; utf8.Valid(t) {
			return !bytes.ContainsRune(t, 0)
		}
	}
	return false
}

// page reads page id and its overflow pages, checking that it is one.
func (bf *boltFile) page(id uint64) ([]byte, error) {
	if id < 2 || id >= bf.meta.hwm || int64(id+1)*bf.pageSize > bf.size {
		return nil, fmt.Errorf("page %d is outside the file", id)
	}
	hdr := make([]byte, boltHeaderSize)
	if _, err := bf.r.ReadAt(hdr, int64(id)*bf.pageSize); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	if got := ne.Uint64(hdr); got != id {
		return nil, fmt.Errorf("page %d calls itself page %d", id, got)
	}
	n := 1 + uint64(ne.Uint32(hdr[12:]))
	if n > bf.meta.hwm-id || int64(id+n)*bf.pageSize > bf.size {
		return nil, fmt.Errorf("page %d runs past the end of the file", id)
	}
	p := make([]byte, int64(n)*bf.pageSize)
	if _, err := bf.r.ReadAt(p, int64(id)*bf.pageSize); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	return p, nil
}

// checkFreelist checks the free list bbolt reads when it opens the file.
func (bf *boltFile) checkFreelist(id uint64) error {
	p, err := bf.page(id)
	if err != nil {
		return err
	}
	if f := ne.Uint16(p[8:]); f != boltFreeFlag {
		return fmt.Errorf("page %d has type %#x, not a free list", id, f)
	}
	start, count := uint64(boltHeaderSize), uint64(ne.Uint16(p[10:]))
	if count == 0xFFFF {
		count, start = ne.Uint64(p[boltHeaderSize:]), start+8
	}
	if count > (uint64(len(p))-start)/8 {
		return fmt.Errorf("page %d counts %d free pages, more than fit", id, count)
	}
	for i := range count {
		if free := ne.Uint64(p[start+8*i:]); free < 2 || free >= bf.meta.hwm {
			return fmt.Errorf("page %d lists free page %d, outside the file", id, free)
		}
	}
	return nil
}

// problem notes a place that could not be read.
func (bf *boltFile) problem(where string, err error) {
	if where != "" {
		where += ": "
	}
	bf.problems = append(bf.problems, where+err.Error())
}

// each calls fn with every entry of bucket b that can be read, in key
// order; sub is set for an entry that is a nested bucket. Pages and entries
// that cannot be read are noted under where and skipped.
func (bf *boltFile) each(b boltBucket, where string, fn func(k, v []byte, sub *boltBucket)) {
	if b.root == 0 {
		bf.leaf(b.inline, where, fn)
		return
	}
	bf.walk(b.root, 0, where, fn)
}

func (bf *boltFile) walk(id uint64, depth int, where string, fn func(k, v []byte, sub *boltBucket)) {
	if depth > boltMaxDepth || bf.seen[id] {
		bf.problem(where, fmt.Errorf("the tree loops through page %d", id))
		return
	}
	bf.seen[id] = true
	p, err := bf.page(id)
	if err != nil {
		bf.problem(where, err)
		return
	}
	switch f := ne.Uint16(p[8:]); f {
	case boltLeafFlag:
		bf.leaf(p, where, fn)
	case boltBranchFlag:
		count := int(ne.Uint16(p[10:]))
		if boltHeaderSize+count*boltElemSize > len(p) {
			bf.problem(where, fmt.Errorf("page %d counts %d entries, more than fit", id, count))
			return
		}
		for i := range count {
			e := p[boltHeaderSize+i*boltElemSize:]
			bf.walk(ne.Uint64(e[8:]), depth+1, where, fn)
		}
	default:
		bf.problem(where, fmt.Errorf("page %d has type %#x, not a branch or leaf", id, f))
	}
}

// leaf calls fn with each readable entry of the leaf page p.
func (bf *boltFile) leaf(p []byte, where string, fn func(k, v []byte, sub *boltBucket)) {
	name := "an inline bucket"
	if len(p) >= boltHeaderSize && ne.Uint64(p) != 0 {
		name = fmt.Sprintf("page %d", ne.Uint64(p))
	}
	count, bad, ok := leafEntries(p, fn)
	switch {
	case !ok && count < 0:
		bf.problem(where, fmt.Errorf("%s is not a leaf", name))
	case !ok:
		bf.problem(where, fmt.Errorf("%s counts %d entries, more than fit", name, count))
	case bad > 0:
		bf.problem(where, fmt.Errorf("%d of the %d entries on %s are unreadable", bad, count, name))
	}
}

// leafEntries calls fn with each readable entry of the leaf page p and
// returns how many entries it counts (-1: p is no leaf) and how many of
// them are unreadable; ok is false when none could be read.
func leafEntries(p []byte, fn func(k, v []byte, sub *boltBucket)) (count, bad int, ok bool) {
	if len(p) < boltHeaderSize || ne.Uint16(p[8:]) != boltLeafFlag {
		return -1, 0, false
	}
	count = int(ne.Uint16(p[10:]))
	if boltHeaderSize+count*boltElemSize > len(p) {
		return count, 0, false
	}
	for i := range count {
		off := boltHeaderSize + i*boltElemSize
		e := p[off:]
		flags := ne.Uint32(e)
		start := uint64(off) + uint64(ne.Uint32(e[4:]))
		kend := start + uint64(ne.Uint32(e[8:]))
		vend := kend + uint64(ne.Uint32(e[12:]))
		if vend > uint64(len(p)) || kend == start {
			bad++
			continue
		}
		k, v := p[start:kend], p[kend:vend]
		if flags&boltBucketEntry == 0 {
			fn(k, v, nil)
			continue
		}
		if len(v) < 16 {
			bad++
			continue
		}
		sub := boltBucket{root: ne.Uint64(v), seq: ne.Uint64(v[8:])}
		if sub.root == 0 {
			sub.inline = v[16:]
		}
		fn(k, nil, &sub)
	}
	return count, bad, true
}

// scan calls fn with every entry of the leaf pages the tree walk did not
// reach, and of the inline buckets in them: pages cut off from the tree by
// the damage, and free pages. A free page holds an older copy of what it
// held, so what scan finds is a last resort, for entries the tree lost.
// It needs no meta page: without one, the page size is guessed.
func (bf *boltFile) scan(fn func(k, v []byte)) {
	if bf.pageSize == 0 {
		bf.pageSize = guessPageSize(bf.r, bf.size)
		bf.meta.hwm = uint64(bf.size / bf.pageSize)
	}
	var inline func(k, v []byte, sub *boltBucket)
	inline = func(k, v []byte, sub *boltBucket) {
		if sub == nil {
			fn(k, v)
		} else if sub.root == 0 {
			leafEntries(sub.inline, inline)
		}
	}
	end := min(bf.meta.hwm, uint64(bf.size/bf.pageSize))
	hdr := make([]byte, boltHeaderSize)
	for id := uint64(2); id < end; id++ {
		if bf.seen[id] {
			continue
		}
		if _, err := bf.r.ReadAt(hdr, int64(id)*bf.pageSize); err != nil || ne.Uint64(hdr) != id || ne.Uint16(hdr[8:]) != boltLeafFlag {
			continue
		}
		if p, err := bf.page(id); err == nil {
			leafEntries(p, inline)
			id += uint64(len(p))/uint64(bf.pageSize) - 1
		}
	}
}

// guessPageSize is the page size at which most pages of a file without a
// readable meta page carry their own number.
func guessPageSize(r io.ReaderAt, size int64) int64 {
	best, bestHits := int64(4096), 0
	hdr := make([]byte, boltHeaderSize)
	for _, ps := range []int64{4096, 8192, 16384, 32768, 65536, 1024, 2048} {
		hits := 0
		for id := int64(2); id < min(size/ps, 4096); id++ {
			if _, err := r.ReadAt(hdr, id*ps); err == nil && ne.Uint64(hdr) == uint64(id) {
				hits++
			}
		}
		if hits > bestHits {
			best, bestHits = ps, hits
		}
	}
	return best
}

// buckets are the nested buckets of b by name.
func (bf *boltFile) buckets(b boltBucket, where string) map[string]boltBucket {
	out := map[string]boltBucket{}
	bf.each(b, where, func(k, _ []byte, sub *boltBucket) {
		if sub != nil {
			out[string(k)] = *sub
		}
	})
	return out
}
