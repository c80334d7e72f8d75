//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package escalation

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes the lock bbolt takes (flock: shared for readers, exclusive
// for a writer) on f without waiting, or returns ErrInUse. It lets the
// damage check and RecoverBolt tell a file another bot holds from a
// damaged one without handing the file to bbolt. Closing f releases it.
func lockFile(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrInUse
	}
	return err
}
