//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package escalation

import "os"

// lockFile cannot tell here whether another process holds f (bbolt locks
// differently on these systems); bbolt's own lock still keeps a second
// bot out when it opens the file.
func lockFile(*os.File, bool) error { return nil }
