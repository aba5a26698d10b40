// DWARF 4/5 constants (tags, attributes, forms, range/location list kinds, line opcodes) from the DWARF 5 standard.
package dev.rustprobe.dwarf;

final class Dw {
    private Dw() {}

    // unit types (DWARF 5, 7.5.1)
    static final int UT_compile = 0x01, UT_type = 0x02, UT_partial = 0x03, UT_skeleton = 0x04,
            UT_split_compile = 0x05, UT_split_type = 0x06;

    // tags
    static final int TAG_array_type = 0x01, TAG_class_type = 0x02, TAG_enumeration_type = 0x04,
            TAG_formal_parameter = 0x05, TAG_lexical_block = 0x0b, TAG_member = 0x0d, TAG_pointer_type = 0x0f,
            TAG_reference_type = 0x10, TAG_compile_unit = 0x11, TAG_structure_type = 0x13,
            TAG_subroutine_type = 0x15, TAG_typedef = 0x16, TAG_union_type = 0x17,
            TAG_unspecified_parameters = 0x18, TAG_variant = 0x19, TAG_inlined_subroutine = 0x1d,
            TAG_subrange_type = 0x21, TAG_base_type = 0x24, TAG_const_type = 0x26, TAG_enumerator = 0x28,
            TAG_subprogram = 0x2e, TAG_template_type_parameter = 0x2f, TAG_template_value_parameter = 0x30,
            TAG_variable = 0x34, TAG_volatile_type = 0x35, TAG_namespace = 0x39, TAG_unspecified_type = 0x3b,
            TAG_partial_unit = 0x3c, TAG_type_unit = 0x41, TAG_rvalue_reference_type = 0x42,
            TAG_restrict_type = 0x37, TAG_atomic_type = 0x47, TAG_call_site = 0x48, TAG_skeleton_unit = 0x4a,
            TAG_variant_part = 0x33, TAG_GNU_call_site = 0x4109;

    // attributes
    static final int AT_sibling = 0x01, AT_location = 0x02, AT_name = 0x03, AT_byte_size = 0x0b,
            AT_bit_size = 0x0d, AT_stmt_list = 0x10, AT_low_pc = 0x11, AT_high_pc = 0x12, AT_language = 0x13,
            AT_comp_dir = 0x1b, AT_const_value = 0x1c, AT_containing_type = 0x1d, AT_inline = 0x20, AT_producer = 0x25,
            AT_lower_bound = 0x22, AT_upper_bound = 0x2f, AT_abstract_origin = 0x31, AT_accessibility = 0x32,
            AT_artificial = 0x34, AT_count = 0x37, AT_data_member_location = 0x38, AT_decl_file = 0x3a,
            AT_decl_line = 0x3b, AT_declaration = 0x3c, AT_discr = 0x15, AT_discr_value = 0x16,
            AT_discr_list = 0x3d, AT_encoding = 0x3e, AT_external = 0x3f, AT_frame_base = 0x40,
            AT_specification = 0x47, AT_type = 0x49, AT_ranges = 0x55, AT_data_bit_offset = 0x6b,
            AT_entry_pc = 0x52, AT_call_column = 0x57, AT_call_file = 0x58, AT_call_line = 0x59,
            AT_linkage_name = 0x6e, AT_alignment = 0x88, AT_noreturn = 0x87, AT_str_offsets_base = 0x72,
            AT_addr_base = 0x73, AT_rnglists_base = 0x74, AT_loclists_base = 0x8c, AT_MIPS_linkage_name = 0x2007,
            AT_GNU_addr_base = 0x2133, AT_GNU_ranges_base = 0x2132;

    // forms
    static final int FORM_addr = 0x01, FORM_block2 = 0x03, FORM_block4 = 0x04, FORM_data2 = 0x05,
            FORM_data4 = 0x06, FORM_data8 = 0x07, FORM_string = 0x08, FORM_block = 0x09, FORM_block1 = 0x0a,
            FORM_data1 = 0x0b, FORM_flag = 0x0c, FORM_sdata = 0x0d, FORM_strp = 0x0e, FORM_udata = 0x0f,
            FORM_ref_addr = 0x10, FORM_ref1 = 0x11, FORM_ref2 = 0x12, FORM_ref4 = 0x13, FORM_ref8 = 0x14,
            FORM_ref_udata = 0x15, FORM_indirect = 0x16, FORM_sec_offset = 0x17, FORM_exprloc = 0x18,
            FORM_flag_present = 0x19, FORM_strx = 0x1a, FORM_addrx = 0x1b, FORM_ref_sup4 = 0x1c,
            FORM_strp_sup = 0x1d, FORM_data16 = 0x1e, FORM_line_strp = 0x1f, FORM_ref_sig8 = 0x20,
            FORM_implicit_const = 0x21, FORM_loclistx = 0x22, FORM_rnglistx = 0x23, FORM_ref_sup8 = 0x24,
            FORM_strx1 = 0x25, FORM_strx2 = 0x26, FORM_strx3 = 0x27, FORM_strx4 = 0x28, FORM_addrx1 = 0x29,
            FORM_addrx2 = 0x2a, FORM_addrx3 = 0x2b, FORM_addrx4 = 0x2c, FORM_GNU_addr_index = 0x1f01,
            FORM_GNU_str_index = 0x1f02, FORM_GNU_ref_alt = 0x1f20, FORM_GNU_strp_alt = 0x1f21;

    // DW_AT_inline values
    static final int INL_inlined = 1, INL_declared_inlined = 3;

    // range list entries (DWARF 5, 7.25)
    static final int RLE_end_of_list = 0, RLE_base_addressx = 1, RLE_startx_endx = 2, RLE_startx_length = 3,
            RLE_offset_pair = 4, RLE_base_address = 5, RLE_start_end = 6, RLE_start_length = 7;

    // location list entries (DWARF 5, 7.7.3)
    static final int LLE_end_of_list = 0, LLE_base_addressx = 1, LLE_startx_endx = 2, LLE_startx_length = 3,
            LLE_offset_pair = 4, LLE_default_location = 5, LLE_base_address = 6, LLE_start_end = 7,
            LLE_start_length = 8, LLE_GNU_view_pair = 9;

    // line number program (DWARF 5, 6.2.5)
    static final int LNS_copy = 1, LNS_advance_pc = 2, LNS_advance_line = 3, LNS_set_file = 4,
            LNS_set_column = 5, LNS_negate_stmt = 6, LNS_set_basic_block = 7, LNS_const_add_pc = 8,
            LNS_fixed_advance_pc = 9, LNS_set_prologue_end = 10, LNS_set_epilogue_begin = 11, LNS_set_isa = 12;
    static final int LNE_end_sequence = 1, LNE_set_address = 2, LNE_define_file = 3, LNE_set_discriminator = 4;
    static final int LNCT_path = 1, LNCT_directory_index = 2, LNCT_timestamp = 3, LNCT_size = 4, LNCT_MD5 = 5;

    static String tagName(int tag) {
        return switch (tag) {
            case TAG_array_type -> "DW_TAG_array_type";
            case TAG_class_type -> "DW_TAG_class_type";
            case TAG_enumeration_type -> "DW_TAG_enumeration_type";
            case TAG_formal_parameter -> "DW_TAG_formal_parameter";
            case TAG_lexical_block -> "DW_TAG_lexical_block";
            case TAG_member -> "DW_TAG_member";
            case TAG_pointer_type -> "DW_TAG_pointer_type";
            case TAG_reference_type -> "DW_TAG_reference_type";
            case TAG_compile_unit -> "DW_TAG_compile_unit";
            case TAG_structure_type -> "DW_TAG_structure_type";
            case TAG_subroutine_type -> "DW_TAG_subroutine_type";
            case TAG_typedef -> "DW_TAG_typedef";
            case TAG_union_type -> "DW_TAG_union_type";
            case TAG_variant -> "DW_TAG_variant";
            case TAG_variant_part -> "DW_TAG_variant_part";
            case TAG_inlined_subroutine -> "DW_TAG_inlined_subroutine";
            case TAG_base_type -> "DW_TAG_base_type";
            case TAG_subprogram -> "DW_TAG_subprogram";
            case TAG_variable -> "DW_TAG_variable";
            case TAG_namespace -> "DW_TAG_namespace";
            case TAG_unspecified_type -> "DW_TAG_unspecified_type";
            case TAG_const_type -> "DW_TAG_const_type";
            case TAG_volatile_type -> "DW_TAG_volatile_type";
            default -> "DW_TAG_0x" + Integer.toHexString(tag);
        };
    }
}
