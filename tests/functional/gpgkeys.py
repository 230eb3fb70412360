"""Real OpenPGP keys for signature tests, made with the gpg program in a private
GNUPGHOME under the test's temporary root. stop() kills that home's gpg-agent;
register it with addCleanup so it runs even when the test fails."""
import os
import subprocess


class Gpg:
    def __init__(self, home):
        self.home = home
        os.makedirs(home, mode=0o700, exist_ok=True)
        self.env = dict(os.environ, GNUPGHOME=home)

    def run(self, *argv, input=None, check=True):
        res = subprocess.run(["gpg", "--batch", "--yes", "--passphrase", ""] + list(argv),
                             env=self.env, capture_output=True, input=input, timeout=120)
        if check and res.returncode != 0:
            raise AssertionError("gpg %s failed:\n%s" % (" ".join(argv), res.stderr.decode()))
        return res

    def stop(self):
        subprocess.run(["gpgconf", "--kill", "all"], env=self.env, capture_output=True)

    def make_key(self, uid, expired=False):
        """A signing key; expired=True makes one that expired in 2020. Returns its fingerprint."""
        if expired:
            self.run("--faked-system-time", "20200101T000000!", "--quick-gen-key", uid,
                     "ed25519", "sign", "1d")
        else:
            self.run("--quick-gen-key", uid, "ed25519", "sign", "never")
        out = self.run("--with-colons", "--list-keys", uid).stdout.decode()
        for line in out.splitlines():
            if line.startswith("fpr:"):
                return line.split(":")[9].lower()
        raise AssertionError("no fingerprint for " + uid)

    def export(self, fpr):
        return self.run("--armor", "--export", fpr).stdout

    def sign(self, fpr, path, out=None, faked_time=None):
        """Writes an armoured detached signature of path to out (default path + '.asc')."""
        out = out or path + ".asc"
        extra = ["--faked-system-time", faked_time] if faked_time else []
        self.run(*extra, "--armor", "--local-user", fpr, "--output", out, "--detach-sign", path)
        return out

    def sign_expired(self, fpr, path, out=None):
        """Signs with a key made by make_key(expired=True), at a time it was still valid."""
        return self.sign(fpr, path, out, faked_time="20200101T120000!")

    def revoke(self, fpr):
        """Revokes the key with the certificate gpg made along with it."""
        rev = os.path.join(self.home, "openpgp-revocs.d", fpr.upper() + ".rev")
        with open(rev) as f:
            cert = f.read().replace(":-----BEGIN", "-----BEGIN", 1)
        self.run("--import", input=cert.encode())
