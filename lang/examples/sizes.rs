fn main() {
    use stackc_lang::ast::*;
    use stackc_lang::value::*;
    println!("Expr {} ExprKind {} Ident {} Item {} Attribute {} Block {} TemplatePart {} Value {} ValueKind {}",
        std::mem::size_of::<Expr>(), std::mem::size_of::<ExprKind>(), std::mem::size_of::<Ident>(),
        std::mem::size_of::<Item>(), std::mem::size_of::<Attribute>(), std::mem::size_of::<Block>(),
        std::mem::size_of::<TemplatePart>(), std::mem::size_of::<Value>(), std::mem::size_of::<ValueKind>());
}
