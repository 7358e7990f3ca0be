package testbed

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
)

// Users are the SIP users every Kamailio of the test bed knows: "1001" to
// "1010". Their passwords come from [Password].
var Users = []string{"1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008", "1009", "1010"}

// Password returns the fixed password of a test user ("secret" followed by
// the user, e.g. "secret1001"), or "" for a user not in [Users].
func Password(user string) string {
	for _, u := range Users {
		if u == user {
			return "secret" + user
		}
	}
	return ""
}

// HA1 returns the digest HA1 of a user, hex(md5(user:realm:password)), the
// form in which a PBX or a client can keep a password instead of clear text.
func HA1(user, realm, password string) string {
	sum := md5.Sum([]byte(fmt.Sprintf("%s:%s:%s", user, realm, password)))
	return hex.EncodeToString(sum[:])
}
