// Rust's char::escape_debug, which rustc-demangle uses for char and string constants: backslash escapes for
// \0 \t \r \n \\ ' ", a braced hex escape for grapheme extenders and non-printable characters, the character otherwise.
package dev.rustprobe.demangle;

final class CharEscape {
    private CharEscape() {
    }

    /** Writes the escaped form of cp one character per write, as rustc-demangle does. */
    static void escapeDebug(int cp, Output out) {
        char simple = switch (cp) {
            case 0 -> '0';
            case '\t' -> 't';
            case '\r' -> 'r';
            case '\n' -> 'n';
            case '\\' -> '\\';
            case '"' -> '"';
            case '\'' -> '\'';
            default -> 0;
        };
        if (simple != 0) {
            out.asciiChar('\\');
            out.asciiChar(simple);
        } else if (isGraphemeExtend(cp) || !isPrintable(cp)) {
            out.asciiChar('\\');
            out.asciiChar('u');
            out.asciiChar('{');
            String hex = Integer.toHexString(cp);
            for (int i = 0; i < hex.length(); i++) {
                out.asciiChar(hex.charAt(i));
            }
            out.asciiChar('}');
        } else {
            out.codePoint(cp);
        }
    }

    /** Rust's notion: every character except controls, format, surrogates, private use, unassigned and
     *  separators other than the ASCII space. (Java's Unicode tables may lag Rust's by a version.) */
    static boolean isPrintable(int cp) {
        if (cp >= 0x20 && cp < 0x7F) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Unicode's Grapheme_Extend: nonspacing and enclosing marks plus Other_Grapheme_Extend. */
    static boolean isGraphemeExtend(int cp) {
        if (cp < 0x300) {
            return false;
        }
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
            return true;
        }
        return switch (cp) {
            case 0x09BE, 0x09D7, 0x0B3E, 0x0B57, 0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5, 0x0CD6, 0x0D3E, 0x0D57, 0x0DCF,
                 0x0DDF, 0x1B35, 0x200C, 0x302E, 0x302F, 0xFF9E, 0xFF9F, 0x1133E, 0x11357, 0x114B0, 0x114BD,
                 0x115AF, 0x11930, 0x1D165, 0x1D16E, 0x1D16F, 0x1D170, 0x1D171, 0x1D172 -> true;
            default -> cp >= 0xE0020 && cp <= 0xE007F;
        };
    }
}
