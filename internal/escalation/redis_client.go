package escalation

import (
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisAddress says how to reach Redis: one address for a standalone
// server, several for a Cluster, or Sentinels with MasterName.
type RedisAddress struct {
	Addrs      []string
	DB         int
	Password   string
	MasterName string
}

// NewRedisClient is the one client every part of chatdesk reaches Redis
// with. Short timeouts and two retries: a ticket must not hold a channel's
// lane for long, and a Redis that does not answer in time sends tickets to
// the spool rather than losing them.
func NewRedisClient(a RedisAddress) redis.UniversalClient {
	return redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: a.Addrs, DB: a.DB, Password: a.Password, MasterName: a.MasterName,
		DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
		MaxRetries: 2,
	})
}
