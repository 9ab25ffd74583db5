// Generates the local stack's own JWT key pair (RSA 2048) into DIR, once: private.pem (PKCS#8) and public.pem
// (X.509), both readable by the owner only. Run as a single-file program (JDK 11+), so up.sh needs nothing but a JDK:
//   java deploy/local/bin/LocalJwtKeys.java DIR
// The gateway and the trainer verify tokens with public.pem; the gateway's loopback-only /dev/token signs with
// private.pem. The pair belongs to this one data folder and never leaves it.
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

public class LocalJwtKeys {
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java LocalJwtKeys.java DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path priv = dir.resolve("private.pem");
        Path pub = dir.resolve("public.pem");
        if (Files.exists(priv) && Files.exists(pub)) {
            return; // once per data folder: tokens already handed out stay valid across runs
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        write(pub, "PUBLIC KEY", pair.getPublic().getEncoded());
        write(priv, "PRIVATE KEY", pair.getPrivate().getEncoded());
    }

    private static void write(Path file, String type, byte[] der) throws Exception {
        String pem = "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, pem, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
