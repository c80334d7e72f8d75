package escalation

import (
	"encoding/binary"
	"os"
	"testing"
)

// LeafPages finds the leaf pages of a bbolt file's bucket at path (bucket
// names from the top), so a test can damage a page that really holds
// entries. It returns the page size and, per leaf page, the keys on it.
func LeafPages(t testing.TB, file string, path ...string) (int64, map[uint64][][]byte) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	bf, err := readBoltFile(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	b := bf.meta.root
	for _, name := range path {
		sub, ok := bf.buckets(b, "")[name]
		if !ok {
			t.Fatalf("%s: no bucket %q", file, name)
		}
		b = sub
	}
	if b.root == 0 {
		t.Fatalf("%s: bucket %v is inline: put more in it", file, path)
	}
	out := map[uint64][][]byte{}
	var walk func(id uint64)
	walk = func(id uint64) {
		p, err := bf.page(id)
		if err != nil {
			t.Fatal(err)
		}
		count := int(binary.NativeEndian.Uint16(p[10:]))
		if binary.NativeEndian.Uint16(p[8:]) == boltBranchFlag {
			for i := range count {
				walk(binary.NativeEndian.Uint64(p[boltHeaderSize+i*boltElemSize+8:]))
			}
			return
		}
		bf.leaf(p, "", func(k, _ []byte, _ *boltBucket) { out[id] = append(out[id], append([]byte(nil), k...)) })
	}
	walk(b.root)
	return bf.pageSize, out
}
