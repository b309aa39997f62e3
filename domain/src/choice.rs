//! Closed sets of values spelled as snake_case words in the API and the database.

/// Declares an enum whose variants are spelled as the given words, with `ALL`, `as_str` and a
/// `parse` that names every allowed word when it refuses one (spelling is exact: `Paid` is not
/// `paid`).
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident, $code:literal { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            pub fn parse(input: &str) -> Result<$name, $crate::ids::Invalid> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == input)
                    .ok_or_else(|| {
                        let all: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        $crate::ids::Invalid::new($code, format!("must be one of {}", all.join(", ")))
                    })
            }
        }

        impl $crate::choice::Choice for $name {
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }

            fn parse(input: &str) -> Result<$name, $crate::ids::Invalid> {
                $name::parse(input)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use choice;

/// What every `choice!` enum is, for code that stores or shows any of them the same way (the
/// database column that holds one as its word).
pub trait Choice: Copy + Sized + 'static {
    fn as_str(self) -> &'static str;
    fn parse(input: &str) -> Result<Self, crate::ids::Invalid>;
}
