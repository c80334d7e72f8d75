package escalation

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/chatdesk/chatdesk/internal/atomicfile"
)

// A store file can be damaged by a disk, a copy cut short or a hand that
// pointed the config at the wrong file. bbolt does not check its pages: on
// one that is not what it expects it panics, or faults past the end of a
// file cut short, which takes the whole bot down with a stack trace. So the
// file is checked before bbolt maps it (boltFile), transactions run under
// guard, and RecoverBolt copies what is still readable into a new file.

// DamagedError is a store or spool file that cannot be used as it is.
type DamagedError struct {
	// File is what the file is to the bot: "ticket store" or "spool".
	File string
	Path string
	// Reason says what is wrong, in words for the streamer.
	Reason string
	// Advice says what to do about it; it may be empty.
	Advice string
}

func (e *DamagedError) Error() string {
	s := fmt.Sprintf("the %s %s is damaged (%s)", e.File, e.Path, e.Reason)
	if e.Advice != "" {
		s += "; " + e.Advice
	}
	return s
}

// advise sets advice on the DamagedError in err, if there is one.
func advise(err error, advice string) error {
	var de *DamagedError
	if advice != "" && errors.As(err, &de) {
		de.Advice = advice
	}
	return err
}

// ErrInUse is a store or spool file another process holds: bbolt serves one
// writer at a time.
var ErrInUse = errors.New("in use by another chatdesk process")

// guard runs fn, a bbolt transaction on the file at path, and turns a panic
// or memory fault inside it into a DamagedError: damage that appears while
// the bot runs costs one command, not the bot. bbolt rolls the transaction
// back as the panic passes, so the file stays usable for what is readable.
func guard(file, path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &DamagedError{File: file, Path: path, Reason: fmt.Sprintf("reading it failed: %v", r)}
		}
	}()
	return fn()
}

// guardOpen is bolt.Open under guard; the file was checked first, so a
// panic here means it changed in between.
func guardOpen(file, path string, o *bolt.Options) (db *bolt.DB, err error) {
	err = guard(file, path, func() error {
		db, err = bolt.Open(path, 0o600, o)
		return err
	})
	return db, err
}

// salvage is what could be read out of one kind of bbolt file.
type salvage interface {
	// problems lists every place that could not be read.
	problems() []string
	// write puts what was read into a new file.
	write(db *bolt.DB) error
}

// checkBoltFile reads the whole file at path, with read for its layout,
// before bbolt opens it, and returns a DamagedError when any of it cannot be
// read back. It holds a reader's lock meanwhile, so no writer changes the
// file under the read; a file another process writes is reported as in use
// at once, unread.
func checkBoltFile(file, path string, read func(*boltFile) salvage) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if lockFile(f, false) == ErrInUse {
		return ErrInUse
	}
	problems, err := readSalvage(f, read, nil)
	if err != nil || len(problems) == 0 {
		return err
	}
	return &DamagedError{File: file, Path: path, Reason: summary(problems)}
}

// readSalvage reads f with read and returns what was wrong; into, when set,
// receives what was read.
func readSalvage(f *os.File, read func(*boltFile) salvage, into *salvage) ([]string, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a file", f.Name())
	}
	bf, err := readBoltFile(f, fi.Size())
	var problems []string
	if err != nil {
		// Nothing of the tree can be read: an empty salvage.
		problems = []string{err.Error()}
		bf = &boltFile{r: f, size: fi.Size(), seen: map[uint64]bool{}}
	}
	s := read(bf)
	if into != nil {
		*into = s
	}
	return append(problems, s.problems()...), nil
}

// summary is the first problem, and how many more there are.
func summary(problems []string) string {
	s := problems[0]
	if n := len(problems) - 1; n > 0 {
		s += fmt.Sprintf("; and %d more", n)
	}
	return s
}

// recoverFile copies what read can read of the damaged file at path into
// a new file that takes its place; the damaged file is kept beside it as
// path.damaged-<time>, never deleted, for whoever wants to look closer. The
// file stays locked meanwhile, so no bot opens it half-way. With nothing
// wrong it changes nothing and returns no problems; when the copy fails,
// the problems it found come back with the error.
func recoverFile(path string, now time.Time, read func(*boltFile) salvage) (s salvage, problems []string, kept string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, "", err
	}
	defer f.Close()
	if err := lockFile(f, true); err != nil {
		return nil, nil, "", err
	}
	if problems, err = readSalvage(f, read, &s); err != nil || len(problems) == 0 {
		return s, nil, "", err
	}
	tmp := path + ".recovering"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, problems, "", err
	}
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, problems, "", err
	}
	err = s.write(db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		kept, err = keepBeside(f, path, now)
	}
	if err == nil {
		err = atomicfile.Commit(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, problems, "", err
	}
	return s, problems, kept, nil
}

// keepBeside keeps the damaged file f under a new name beside path: a hard
// link where the disk has them, so path is never missing, else a copy.
func keepBeside(f *os.File, path string, now time.Time) (string, error) {
	base := path + ".damaged-" + now.UTC().Format("20060102-150405")
	for i := 1; ; i++ {
		kept := base
		if i > 1 {
			kept += "-" + strconv.Itoa(i)
		}
		err := os.Link(path, kept)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err == nil {
			return kept, nil
		}
		out, err := os.OpenFile(kept, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = io.Copy(out, io.NewSectionReader(f, 0, 1<<62))
		if err == nil {
			err = out.Sync()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		return kept, err
	}
}
